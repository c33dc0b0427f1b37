"""PyTorch side of `npm run bench:scale` (test/bench/scale.bench.ts): the same ~1M-parameter CNN on
32x32x3 synthetic images, written as a PyTorch user writes it (nn.Sequential, channels first, logits
with nn.CrossEntropyLoss, Adam), trained for a fixed number of steps in this process, which then
reports its peak resident set size (resource.getrusage ru_maxrss) and samples/s.

    python3 torch_scale.py '{"batch": 64, "count": 711, "epochs": 3, "validationSplit": 0.1,
                             "classes": 10, "lr": 0.001, "seed": 1, "threads": 2}'

The data is held in memory as one tensor (as Netloom holds its dataset), shuffled each epoch, and
the validation rows are evaluated under eval() + no_grad() after each epoch, as Netloom's run does.
Prints one JSON line.
"""
import json
import os
import resource
import sys
import time

import torch
from torch import nn


def model(classes):
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 8 * 64, 256), nn.ReLU(), nn.Linear(256, classes),
    )


def main():
    req = json.loads(sys.argv[1])
    torch.set_num_threads(int(req.get('threads') or os.cpu_count() or 1))
    torch.manual_seed(int(req['seed']))
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    batch, classes = int(req['batch']), int(req['classes'])
    count = int(req['count'])
    net = model(classes)
    params = sum(p.numel() for p in net.parameters())
    x = torch.rand(count, 3, 32, 32)
    y = torch.randint(0, classes, (count,))
    n_val = int(count * float(req['validationSplit']))  # floor, as the engine's split
    train_x, train_y, val_x, val_y = x[n_val:], y[n_val:], x[:n_val], y[:n_val]
    optimizer = torch.optim.Adam(net.parameters(), lr=float(req['lr']))
    criterion = nn.CrossEntropyLoss()
    steps = 0
    t_all = time.perf_counter()
    ends = []
    for epoch in range(int(req['epochs'])):
        net.train()
        order = torch.randperm(len(train_x))
        for s in range(0, len(order), batch):
            i = order[s:s + batch]
            optimizer.zero_grad()
            loss = criterion(net(train_x[i]), train_y[i])
            loss.backward()
            optimizer.step()
            loss.item()
            steps += 1
        net.eval()
        with torch.no_grad():
            for s in range(0, n_val, batch):
                criterion(net(val_x[s:s + batch]), val_y[s:s + batch]).item()
        ends.append(time.perf_counter())
    wall = time.perf_counter() - t_all
    epochs = int(req['epochs'])
    per_epoch = len(train_x)
    print(json.dumps({
        'ok': True,
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'params': params,
        'steps': steps,
        # Epochs 2.. (the first warms up), each with its validation pass, as scale.bench.ts times Netloom.
        'samplesPerSecond': per_epoch * (epochs - 1) / (ends[-1] - ends[0]) if epochs > 1 else per_epoch / wall,
        'wallSamplesPerSecond': per_epoch * epochs / wall,
        'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'startRssMB': rss_start / 1024,
    }), flush=True)


if __name__ == '__main__':
    main()
