/** predict.py of the PyTorch export: one JSON array of outputs per row on stdout. */
import { WEIGHTS_FILE } from './torchModel';

export function torchPredictPy(projectName: string): string {
  return `"""Predicts with the exported model of ${JSON.stringify(projectName)}.

    python3 predict.py --data FILE.csv [--weights weights.pt | trained.pt] > predictions.jsonl

One JSON array per row on stdout, in the rows' order: the output probabilities (classification) or
values (regression) of the model's output, as \`netloom predict FILE --data FILE.csv --json\` prints
them. A model with several outputs prints one array per output for each row: [[...], [...]].
The CSV is encoded with preprocessing.json (the target column may be absent).
"""
import argparse
import json
import os
import sys

import torch

import data as netloom_data
from model import INPUTS, build_model, load_weights

HERE = os.path.dirname(os.path.abspath(__file__))


def default_weights():
    for name in ('${WEIGHTS_FILE}', 'trained.pt'):
        if os.path.exists(os.path.join(HERE, name)):
            return os.path.join(HERE, name)
    sys.exit('no weights: pass --weights (train.py writes trained.pt)')


def main():
    ap = argparse.ArgumentParser(description='One JSON array of outputs per row.')
    ap.add_argument('--data', help='a CSV file (encoded like the training data)')
    ap.add_argument('--inputs', help='a .safetensors file of already-encoded inputs (array x)')
    ap.add_argument('--weights', help='a .pt state dict (default: ${WEIGHTS_FILE}, else trained.pt)')
    ap.add_argument('--batch-size', type=int, default=256)
    args = ap.parse_args()
    if not args.data and not args.inputs:
        ap.error('pass --data FILE.csv (or --inputs FILE.safetensors)')
    ds = netloom_data.load(args.inputs or args.data, fit=False)
    per_sample = tuple(ds.sample_shape)
    x = torch.frombuffer(bytearray(ds.x.tobytes()), dtype=torch.int32 if ds.x.typecode == 'i' else torch.float32)
    x = x.reshape(ds.count, *per_sample)
    x = x.long() if INPUTS[0]['dtype'] == 'int32' else x.float()
    model = load_weights(build_model(), args.weights or default_weights()).eval()
    out = sys.stdout
    with torch.no_grad():
        for start in range(0, ds.count, args.batch_size):
            preds = model(*([x[start:start + args.batch_size]] * len(INPUTS)))
            preds = preds if isinstance(preds, tuple) else (preds,)
            rows = [p.reshape(p.shape[0], -1).tolist() for p in preds]
            for i in range(len(rows[0])):
                out.write(json.dumps(rows[0][i] if len(rows) == 1 else [r[i] for r in rows]) + '\\n')
    out.flush()


if __name__ == '__main__':
    main()
`;
}
