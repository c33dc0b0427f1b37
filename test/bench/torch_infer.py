"""PyTorch inference reference for `npm run bench:predict` (test/bench/predict.bench.ts).

Run with Debian's /usr/bin/python3 (python3-torch), OPENBLAS_NUM_THREADS=1 and
OMP_WAIT_POLICY=PASSIVE, as torch_ref.py (train.bench.ts says why). One JSON request a line on
stdin, one JSON answer a line on stdout, so torch is imported once and the benchmark interleaves
Netloom and torch per model.

    {"idiomatic": "mlp", "inputShape": [784], "vocab": 0, "classes": 10, "batch": 1,
     "seed": 1, "warmup": 5, "minCalls": 20, "seconds": 2.0, "threads": 2}

The model is torch_ref.py's `idiomatic_model` (the template's network as a PyTorch user writes it),
run the way a PyTorch user runs inference: `model.eval()` and `torch.no_grad()`, one call per batch,
the outputs read back as a NumPy array (as Netloom returns its outputs as a Float32Array).
The answer is samples/s over the timed calls.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_ref import idiomatic_model, serve  # noqa: E402


def run(req):
    threads = int(req.get('threads') or os.cpu_count() or 1)
    torch.set_num_threads(threads)
    seed = int(req.get('seed', 1))
    torch.manual_seed(seed)
    model, sample, dtype = idiomatic_model(req['idiomatic'], req)
    model.eval()
    batch = int(req['batch'])
    shape = [batch, *sample]
    gen = torch.Generator().manual_seed(seed)
    pool = 8
    if dtype in ('int32', 'int64'):
        xs = [torch.randint(2, int(req['vocab']), shape, generator=gen, dtype=torch.int64) for _ in range(pool)]
    else:
        xs = [torch.rand(shape, generator=gen) for _ in range(pool)]

    def call(i):
        with torch.no_grad():
            return model(xs[i % pool]).numpy()

    for i in range(int(req['warmup'])):
        call(i)
    calls = 0
    t0 = time.perf_counter()
    elapsed = 0.0
    while calls < int(req['minCalls']) or elapsed < float(req['seconds']):
        call(calls)
        calls += 1
        elapsed = time.perf_counter() - t0
    return {
        'ok': True,
        'calls': calls,
        'seconds': elapsed,
        'samplesPerSecond': calls * batch / elapsed,
        'threads': torch.get_num_threads(),
    }


if __name__ == '__main__':
    serve(run)
