"""Runs an exported model.py on one sample and prints every node's output as PyTorch computes it.

Forward hooks on each submodule (named after the graph's node ids) record their outputs; the values
of the nodes that have no module (Flatten, Add, an activation function...) are the local variables
of NetloomModel.forward, read when it returns. For each attention node (the `attention` list of
probe.json) the inputs of its attention module are fed to torch.nn.MultiheadAttention loaded with
the same projections and called with need_weights=True: PyTorch's own attention weights.

    python3 hooks.py probe.json   (in the export's folder)
"""
import json
import sys

import torch

from model import build_model, load_weights

spec = json.load(open(sys.argv[1]))
model = load_weights(build_model(), 'weights.pt').eval()
hooked, attention_inputs, frame_locals = {}, {}, {}


def record(name):
    def hook(module, inputs, output):
        if torch.is_tensor(output):
            hooked[name] = output.detach()
    return hook


for name, module in model.named_children():
    module.register_forward_hook(record(name))
for name in spec['attention']:
    module = getattr(model, name)
    inner = getattr(module, 'attention', module)
    inner.register_forward_hook(
        lambda m, inputs, output, name=name: attention_inputs.__setitem__(name, (m, inputs, output)))


def profile(frame, event, arg):
    if event == 'return' and frame.f_code.co_name == 'forward' and frame.f_locals.get('self') is model:
        frame_locals.update({k: v.detach() for k, v in frame.f_locals.items() if torch.is_tensor(v)})


dtype = torch.long if spec['dtype'] == 'int32' else torch.float32
x = torch.tensor(spec['input'], dtype=dtype).reshape([1] + spec['shape'])
sys.setprofile(profile)
with torch.no_grad():
    returned = model(x)
sys.setprofile(None)

attention = {}
for name, (m, inputs, output) in attention_inputs.items():
    q = inputs[0]
    k = inputs[1] if len(inputs) > 1 and inputs[1] is not None else q
    v = inputs[2] if len(inputs) > 2 and inputs[2] is not None else k
    d = q.shape[-1]
    mha = torch.nn.MultiheadAttention(d, m.num_heads, bias=True, batch_first=True,
                                      kdim=k.shape[-1], vdim=v.shape[-1])
    with torch.no_grad():
        if mha._qkv_same_embed_dim:
            mha.in_proj_weight.copy_(torch.cat([m.query.weight, m.key.weight, m.value.weight]))
        else:
            mha.q_proj_weight.copy_(m.query.weight)
            mha.k_proj_weight.copy_(m.key.weight)
            mha.v_proj_weight.copy_(m.value.weight)
        mha.in_proj_bias.copy_(torch.cat([m.query.bias, m.key.bias, m.value.bias]))
        mha.out_proj.weight.copy_(m.output.weight)
        mha.out_proj.bias.copy_(m.output.bias)
        out, weights = mha(q, k, v, need_weights=True, average_attn_weights=False)
    attention[name] = {
        'weights': weights[0].tolist(),
        # The exported module and nn.MultiheadAttention must agree on the output too.
        'outputDiff': (out - output).abs().max().item(),
    }

print(json.dumps({
    'hooked': {k: v.flatten().tolist() for k, v in hooked.items()},
    'locals': {k: v.flatten().tolist() for k, v in frame_locals.items()},
    'returned': returned.flatten().tolist(),
    'attention': attention,
}))
