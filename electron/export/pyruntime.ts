/**
 * The Python building blocks the generated PyTorch `model.py` is made of. Each layer kind of the
 * catalog maps (in pytorch.ts) to one of these modules or to an inline expression; only the blocks a
 * graph uses are written into its `model.py`, so the file stays short and readable.
 *
 * Convention: tensors flow through the model in Netloom's layout (channels last, sequences
 * [batch, time, features]); a block that needs PyTorch's channels-first layout moves the axis in and
 * back itself, so Flatten, Reshape and Concatenate behave exactly as in Netloom.
 */

export type Helper =
  | 'activate'
  | 'padding'
  | 'Dense'
  | 'Conv'
  | 'ConvTranspose2D'
  | 'Pool'
  | 'BatchNorm'
  | 'LayerNorm'
  | 'Recurrent'
  | 'GRU'
  | 'MultiHeadAttention'
  | 'TransformerEncoderBlock'
  | 'PositionalEmbedding';

/** Blocks each block needs written before it. */
export const HELPER_DEPS: { readonly [H in Helper]: readonly Helper[] } = {
  activate: [],
  padding: [],
  Dense: ['activate'],
  Conv: ['activate', 'padding'],
  ConvTranspose2D: ['activate'],
  Pool: ['padding'],
  BatchNorm: [],
  LayerNorm: [],
  Recurrent: ['activate'],
  GRU: [],
  MultiHeadAttention: [],
  TransformerEncoderBlock: ['MultiHeadAttention'],
  PositionalEmbedding: [],
};

export const HELPER_CODE: { readonly [H in Helper]: string } = {
  activate: `
def activate(x, name, alpha=0.2):
    """The activation functions of the Netloom catalog, with Keras / TF.js semantics."""
    if name == 'linear':
        return x
    if name == 'relu':
        return F.relu(x)
    if name == 'sigmoid':
        return torch.sigmoid(x)
    if name == 'tanh':
        return torch.tanh(x)
    if name == 'softmax':
        return torch.softmax(x, dim=-1)
    if name == 'gelu':
        return F.gelu(x)  # the exact (erf) form, as Keras and TF.js
    if name == 'elu':
        return F.elu(x)
    if name == 'selu':
        return F.selu(x)
    if name == 'softplus':
        return F.softplus(x)
    if name == 'swish':
        return x * torch.sigmoid(x)
    if name == 'leakyRelu':
        return F.leaky_relu(x, alpha)
    if name == 'hardSigmoid':  # TF.js's (LSTM and GRU gates); Keras 3's hard_sigmoid is relu6(x + 3) / 6
        return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)
    raise ValueError(f'unknown activation {name!r}')
`,
  padding: `
def same_padding(length, kernel, stride, dilation=1):
    """TensorFlow's 'same' padding along one axis: (before, after); an odd extra goes after."""
    span = (kernel - 1) * dilation + 1
    out = -(-length // stride)
    total = max((out - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


def pad_same(x, kernel, strides, dilation, value=0.0):
    """Pads the spatial axes of a channels-first tensor so windows behave like TensorFlow's 'same'."""
    pads = []
    for i in reversed(range(len(kernel))):
        pads += same_padding(x.shape[2 + i], kernel[i], strides[i], dilation[i])
    return F.pad(x, pads, value=value)
`,
  Dense: `
class Dense(nn.Linear):
    """Fully connected on the last axis, then the activation (Keras Dense)."""

    def __init__(self, in_features, units, activation='linear', bias=True):
        super().__init__(in_features, units, bias)
        self.activation = activation
        nn.init.xavier_uniform_(self.weight)  # Keras's glorot_uniform
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x):
        return activate(super().forward(x), self.activation)
`,
  Conv: `
class Conv(nn.Module):
    """Conv1D / Conv2D on channels-last input ([batch, steps, ch] / [batch, h, w, ch])."""

    def __init__(self, in_channels, filters, kernel_size, strides, padding, dilation, activation, bias=True):
        super().__init__()
        self.kernel_size, self.strides, self.dilation = tuple(kernel_size), tuple(strides), tuple(dilation)
        self.padding, self.activation = padding, activation
        self.weight = nn.Parameter(torch.empty(filters, in_channels, *kernel_size))
        self.bias = nn.Parameter(torch.zeros(filters)) if bias else None
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):
        x = x.movedim(-1, 1)  # channels last -> channels first
        if self.padding == 'same':
            x = pad_same(x, self.kernel_size, self.strides, self.dilation)
        conv = F.conv1d if len(self.kernel_size) == 1 else F.conv2d
        y = conv(x, self.weight, self.bias, self.strides, 0, self.dilation)
        return activate(y.movedim(1, -1), self.activation)
`,
  ConvTranspose2D: `
class ConvTranspose2D(nn.Module):
    """Conv2DTranspose on channels-last input, with TensorFlow's output size ('same': input x strides)."""

    def __init__(self, in_channels, filters, kernel_size, strides, padding, activation, bias=True):
        super().__init__()
        self.kernel_size, self.strides = tuple(kernel_size), tuple(strides)
        self.padding, self.activation = padding, activation
        self.weight = nn.Parameter(torch.empty(in_channels, filters, *kernel_size))
        self.bias = nn.Parameter(torch.zeros(filters)) if bias else None
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):
        x = x.movedim(-1, 1)
        y = F.conv_transpose2d(x, self.weight, None, self.strides)
        for axis in (0, 1):
            n, k, s = x.shape[2 + axis], self.kernel_size[axis], self.strides[axis]
            size = n * s if self.padding == 'same' else n * s + max(k - s, 0)
            start = max(k - s, 0) // 2 if self.padding == 'same' else 0
            y = y.narrow(2 + axis, start, min(size, y.shape[2 + axis] - start))
            missing = size - y.shape[2 + axis]
            if missing > 0:  # kernel smaller than the stride: TensorFlow's output ends in zeros
                pads = [0, 0, 0, 0]
                pads[3 - 2 * axis] = missing
                y = F.pad(y, pads)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return activate(y.movedim(1, -1), self.activation)
`,
  Pool: `
class Pool(nn.Module):
    """Max or average pooling over the spatial axes of channels-last input (TensorFlow padding)."""

    def __init__(self, mode, pool_size, strides, padding):
        super().__init__()
        self.mode, self.pool_size, self.strides, self.padding = mode, tuple(pool_size), tuple(strides), padding

    def forward(self, x):
        x = x.movedim(-1, 1)
        ones = (1,) * len(self.pool_size)
        if self.mode == 'max':
            pool = F.max_pool1d if len(self.pool_size) == 1 else F.max_pool2d
            if self.padding == 'same':
                x = pad_same(x, self.pool_size, self.strides, ones, float('-inf'))
            y = pool(x, self.pool_size, self.strides)
        else:
            pool = F.avg_pool1d if len(self.pool_size) == 1 else F.avg_pool2d
            if self.padding == 'same':
                # TensorFlow averages the real values only: divide by how many each window holds.
                count = pool(pad_same(torch.ones_like(x[:, :1]), self.pool_size, self.strides, ones), self.pool_size, self.strides)
                y = pool(pad_same(x, self.pool_size, self.strides, ones), self.pool_size, self.strides) / count
            else:
                y = pool(x, self.pool_size, self.strides)
        return y.movedim(1, -1)
`,
  BatchNorm: `
class BatchNorm(nn.Module):
    """BatchNormalization over the last axis. Keras's momentum is the share of the old running value."""

    def __init__(self, features, momentum=0.99, epsilon=1e-3, center=True, scale=True):
        super().__init__()
        self.momentum, self.epsilon = momentum, epsilon
        self.weight = nn.Parameter(torch.ones(features)) if scale else None
        self.bias = nn.Parameter(torch.zeros(features)) if center else None
        self.register_buffer('running_mean', torch.zeros(features))
        self.register_buffer('running_var', torch.ones(features))

    def forward(self, x):
        y = F.batch_norm(x.movedim(-1, 1), self.running_mean, self.running_var, self.weight, self.bias,
                         self.training, 1 - self.momentum, self.epsilon)
        return y.movedim(1, -1)
`,
  LayerNorm: `
class LayerNorm(nn.Module):
    """LayerNormalization over the last axis, with an optional scale (gamma) and shift (beta)."""

    def __init__(self, features, epsilon=1e-3, center=True, scale=True):
        super().__init__()
        self.epsilon = epsilon
        self.weight = nn.Parameter(torch.ones(features)) if scale else None
        self.bias = nn.Parameter(torch.zeros(features)) if center else None

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.epsilon)
`,
  Recurrent: `
class Recurrent(nn.Module):
    """SimpleRNN, LSTM or GRU over [batch, time, features], Keras semantics, optionally bidirectional.

    Parameters have PyTorch's names and gate order (LSTM i, f, g, o; GRU r, z, n), so the state dict of
    an LSTM or a SimpleRNN with tanh also fits nn.LSTM / nn.RNN. The GRU is Keras's reset_after=False
    form by default, which nn.GRU cannot express: the reset gate scales the state before the
    recurrent product, n = act(W_in x + b_in + W_hn (r * h) + b_hn). With reset_after=True it is
    nn.GRU's form (with any activation, and dropout): n = act(W_in x + b_in + r * (W_hn h + b_hn)).
    The gates' activation is the sigmoid, or with recurrent_activation='hardSigmoid' TF.js's hard
    sigmoid, clamp(0.2 x + 0.5, 0, 1).
    """

    GATES = {'SimpleRNN': 1, 'LSTM': 4, 'GRU': 3}

    def __init__(self, cell, in_features, units, activation='tanh', return_sequences=False,
                 bidirectional=False, dropout=0.0, recurrent_dropout=0.0, reset_after=False,
                 recurrent_activation='sigmoid'):
        super().__init__()
        self.cell, self.units, self.activation, self.reset_after = cell, units, activation, reset_after
        self.recurrent_activation = recurrent_activation
        self.return_sequences, self.bidirectional = return_sequences, bidirectional
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        size = self.GATES[cell] * units
        for sfx in self.suffixes():
            w_ih = nn.Parameter(torch.empty(size, in_features))
            w_hh = nn.Parameter(torch.empty(size, units))
            b_ih = nn.Parameter(torch.zeros(size))
            nn.init.xavier_uniform_(w_ih)
            nn.init.orthogonal_(w_hh)
            if cell == 'LSTM':
                with torch.no_grad():
                    b_ih[units:2 * units] = 1.0  # Keras's unit_forget_bias
            self.register_parameter('weight_ih_l0' + sfx, w_ih)
            self.register_parameter('weight_hh_l0' + sfx, w_hh)
            self.register_parameter('bias_ih_l0' + sfx, b_ih)
            self.register_parameter('bias_hh_l0' + sfx, nn.Parameter(torch.zeros(size)))

    def suffixes(self):
        return ['', '_reverse'] if self.bidirectional else ['']

    def gate(self, x):
        return activate(x, self.recurrent_activation)

    def run(self, x, sfx):
        w_ih, w_hh = getattr(self, 'weight_ih_l0' + sfx), getattr(self, 'weight_hh_l0' + sfx)
        b_ih, b_hh = getattr(self, 'bias_ih_l0' + sfx), getattr(self, 'bias_hh_l0' + sfx)
        batch, u = x.shape[0], self.units
        if self.training and self.dropout > 0:  # one mask per sequence, as Keras
            x = x * F.dropout(torch.ones_like(x[:, :1]), self.dropout, True)
        mask = None
        if self.training and self.recurrent_dropout > 0:
            mask = F.dropout(x.new_ones(batch, u), self.recurrent_dropout, True)
        # The input part of every step at once, then one view per step: unbind's gradient is one
        # stack, where indexing xs[:, t] would fill a zero tensor of xs's size per step.
        xs = F.linear(x, w_ih, b_ih).unbind(1)
        # The GRU's recurrent weights split once (reset and update gates; candidate), not every step.
        w_rz, w_n, b_rz, b_n = w_hh[:2 * u], w_hh[2 * u:], b_hh[:2 * u], b_hh[2 * u:]
        h = x.new_zeros(batch, u)
        c = x.new_zeros(batch, u)
        outputs = []
        for xt in xs:
            hd = h if mask is None else h * mask
            if self.cell == 'GRU' and self.reset_after:
                hr, hz, hn = F.linear(hd, w_hh, b_hh).chunk(3, -1)
                xr, xz, xn = xt.chunk(3, -1)
                r, z = self.gate(xr + hr), self.gate(xz + hz)
                h = z * hd + (1 - z) * activate(xn + r * hn, self.activation)  # Keras drops the carry too
            elif self.cell == 'GRU':
                hr, hz = F.linear(hd, w_rz, b_rz).chunk(2, -1)
                xr, xz, xn = xt.chunk(3, -1)
                r, z = self.gate(xr + hr), self.gate(xz + hz)
                n = activate(xn + F.linear(r * hd, w_n, b_n), self.activation)
                h = z * h + (1 - z) * n
            elif self.cell == 'LSTM':
                i, f, g, o = (xt + F.linear(hd, w_hh, b_hh)).chunk(4, -1)
                c = self.gate(f) * c + self.gate(i) * activate(g, self.activation)
                h = self.gate(o) * activate(c, self.activation)
            else:
                h = activate(xt + F.linear(hd, w_hh, b_hh), self.activation)
            outputs.append(h)
        return torch.stack(outputs, 1) if self.return_sequences else h

    def forward(self, x):
        y = self.run(x, '')
        if not self.bidirectional:
            return y
        back = self.run(x.flip(1), '_reverse')
        if self.return_sequences:
            back = back.flip(1)  # aligned with the forward steps
        return torch.cat([y, back], -1)
`,
  GRU: `
class GRU(nn.GRU):
    """nn.GRU, batch first: Keras's GRU with reset_after=True (Netloom's "reset after" on, tanh).

    Returns every step's state (return_sequences) or the last one, the two directions side by side
    (forward, backward) as Keras's Bidirectional with merge_mode='concat'.
    """

    def __init__(self, in_features, units, return_sequences=False, bidirectional=False):
        super().__init__(in_features, units, batch_first=True, bidirectional=bidirectional)
        self.return_sequences = return_sequences
        for name, p in self.named_parameters():  # Keras's initialisers
            if name.startswith('weight_ih'):
                nn.init.xavier_uniform_(p)
            elif name.startswith('weight_hh'):
                nn.init.orthogonal_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        y, h = super().forward(x)
        return y if self.return_sequences else torch.cat(list(h), -1)
`,
  MultiHeadAttention: `
class MultiHeadAttention(nn.Module):
    """Keras 3 MultiHeadAttention: softmax(q k^T / sqrt(key_dim) + mask) v per head, projected back."""

    def __init__(self, query_dim, key_dim_in, value_dim_in, num_heads, key_dim, value_dim,
                 dropout=0.0, bias=True, causal=False):
        super().__init__()
        self.num_heads, self.key_dim, self.value_dim, self.causal = num_heads, key_dim, value_dim, causal
        self.query = nn.Linear(query_dim, num_heads * key_dim, bias)
        self.key = nn.Linear(key_dim_in, num_heads * key_dim, bias)
        self.value = nn.Linear(value_dim_in, num_heads * value_dim, bias)
        self.output = nn.Linear(num_heads * value_dim, query_dim, bias)
        self.dropout = nn.Dropout(dropout)
        for lin in (self.query, self.key, self.value, self.output):
            nn.init.xavier_uniform_(lin.weight)
            if lin.bias is not None:
                nn.init.zeros_(lin.bias)

    def forward(self, query, key=None, value=None):
        key = query if key is None else key
        value = key if value is None else value
        b, tq, tk, h = query.shape[0], query.shape[1], key.shape[1], self.num_heads
        q = self.query(query).view(b, tq, h, self.key_dim).transpose(1, 2) * (1.0 / math.sqrt(self.key_dim))
        k = self.key(key).view(b, tk, h, self.key_dim).transpose(1, 2)
        v = self.value(value).view(b, tk, h, self.value_dim).transpose(1, 2)
        scores = q @ k.transpose(-1, -2)  # [batch, heads, tq, tk]: grows with the square of the length
        if self.causal:
            future = torch.ones(tq, tk, dtype=torch.bool, device=scores.device).triu(1)
            scores = scores.masked_fill(future, -1e9)
        weights = self.dropout(torch.softmax(scores, dim=-1))
        context = (weights @ v).transpose(1, 2).reshape(b, tq, h * self.value_dim)
        return self.output(context)
`,
  TransformerEncoderBlock: `
class TransformerEncoderBlock(nn.Module):
    """Self-attention and a feed-forward network, each with a residual connection and LayerNorm.

    pre-norm:  y = x + drop(MHA(LN1(x)));  out = y + drop(FFN(LN2(y)))
    post-norm: y = LN1(x + drop(MHA(x)));  out = LN2(y + drop(FFN(y)))
    """

    def __init__(self, dim, num_heads, key_dim, ff_dim, dropout=0.1, normalize_first=True, activation='relu'):
        super().__init__()
        self.normalize_first, self.activation = normalize_first, activation
        self.attention = MultiHeadAttention(dim, dim, dim, num_heads, key_dim, key_dim, dropout, True, False)
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.ffn1 = nn.Linear(dim, ff_dim)
        self.ffn2 = nn.Linear(ff_dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.dropout = nn.Dropout(dropout)

    def ffn(self, x):
        hidden = self.ffn1(x)
        return self.ffn2(F.gelu(hidden) if self.activation == 'gelu' else F.relu(hidden))

    def forward(self, x):
        if self.normalize_first:
            y = x + self.dropout(self.attention(self.norm1(x)))
            return y + self.dropout(self.ffn(self.norm2(y)))
        y = self.norm1(x + self.dropout(self.attention(x)))
        return self.norm2(y + self.dropout(self.ffn(y)))
`,
  PositionalEmbedding: `
class PositionalEmbedding(nn.Module):
    """Token ids [batch, time] -> token vector + learned position vector [batch, time, dim]."""

    def __init__(self, vocab_size, max_length, dim):
        super().__init__()
        self.token = nn.Embedding(vocab_size, dim)
        self.position = nn.Embedding(max_length, dim)
        nn.init.uniform_(self.token.weight, -0.05, 0.05)
        nn.init.xavier_uniform_(self.position.weight)

    def forward(self, ids):
        ids = ids.long()
        if ids.shape[1] > self.position.num_embeddings:
            raise ValueError(f'sequences of {ids.shape[1]} tokens are longer than the maximum length {self.position.num_embeddings}')
        return self.token(ids) + self.position.weight[: ids.shape[1]]
`,
};

/** The helpers to write, dependencies first, each once, in a stable order. */
export function helperClosure(used: Iterable<Helper>): Helper[] {
  const order = Object.keys(HELPER_CODE) as Helper[];
  const want = new Set<Helper>();
  const visit = (h: Helper) => {
    if (want.has(h)) return;
    want.add(h);
    HELPER_DEPS[h].forEach(visit);
  };
  for (const h of used) visit(h);
  return order.filter((h) => want.has(h));
}
