/**
 * train.py of the PyTorch export, by its sections: the docstring and settings the project fills in,
 * the optimizer it chose, and the fixed parts (imports, losses and metrics with Keras semantics, the
 * data split, evaluation, and main(): one process, or DistributedDataParallel under torchrun).
 */
import { type TrainingConfig, weightDecayOf } from '../../shared/training/config';
import { type ExportPlan, pyStr, resolvedLoss } from './plan';

/** The docstring: the commands and the project's settings. */
function docstring(projectName: string, config: TrainingConfig): string {
  return `"""Trains the Netloom project ${JSON.stringify(projectName)} with PyTorch.

    python3 train.py [--epochs N] [--data FILE.csv] [--out trained.pt]

Under torchrun it trains with DistributedDataParallel: each process takes its share of every epoch
(DistributedSampler), gradients are averaged across processes, gloo on CPU, nccl on GPU:

    torchrun --standalone --nproc_per_node=2 --redirects 1 --tee 1 --log_dir logs train.py

Settings from the project: optimizer ${config.optimizer}, learning rate ${config.learningRate}, batch size ${config.batchSize},
epochs ${config.epochs}, validation split ${config.validationSplit}, shuffle ${config.shuffle}, seed ${config.seed},
schedule ${scheduleWords(config)}, weight decay ${weightDecayOf(config)}, gradient clipping ${config.clipNorm ?? 'off'}.
"""`;
}

/** The schedule in words (the docstring). */
export function scheduleWords(config: TrainingConfig): string {
  const s = config.schedule;
  if (!s) return 'none';
  switch (s.kind) {
    case 'step':
      return `step (x${s.factor} every ${s.everyEpochs} epochs)`;
    case 'cosine':
      return `cosine (down to ${s.minLearningRate})`;
    case 'plateau':
      return `reduce on plateau (x${s.factor} after ${s.patience} epochs without improvement, min ${s.minLearningRate})`;
  }
}

const IMPORTS_PY = `import argparse
import hashlib
import json
import os
import random

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

import data as netloom_data
from model import INPUTS, OUTPUTS, build_model, load_weights`;

/** CONFIG and LOSSES: the project's settings and the loss of each output, as Netloom resolved them. */
function settings(config: TrainingConfig, losses: readonly string[]): string {
  return `CONFIG = {
    'optimizer': ${pyStr(config.optimizer)},
    'learning_rate': ${config.learningRate},
    'batch_size': ${config.batchSize},
    'epochs': ${config.epochs},
    'validation_split': ${config.validationSplit},
    'shuffle': ${config.shuffle ? 'True' : 'False'},
    'seed': ${config.seed},
    'weight_decay': ${weightDecayOf(config)},
    'clip_norm': ${config.clipNorm ?? 'None'},
}
LOSSES = ${JSON.stringify(losses)}  # one per output, as Netloom resolved them
CLASSIFICATION = any(loss.endswith('Crossentropy') for loss in LOSSES)
EPS = 1e-7`;
}

/** weight_decay: L2 added to the gradients (torch.optim's semantics); AdamW's is decoupled. */
const OPTIMIZER_CODE: Record<TrainingConfig['optimizer'], string> = {
  sgd: "torch.optim.SGD(params, lr=lr, weight_decay=CONFIG['weight_decay'])",
  momentum: "torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=CONFIG['weight_decay'])",
  adam: "torch.optim.Adam(params, lr=lr, eps=1e-7, weight_decay=CONFIG['weight_decay'])",
  adamw: "torch.optim.AdamW(params, lr=lr, eps=1e-7, weight_decay=CONFIG['weight_decay'])",
  rmsprop: "torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7, weight_decay=CONFIG['weight_decay'])",
  adagrad:
    "torch.optim.Adagrad(params, lr=lr, initial_accumulator_value=0.1, weight_decay=CONFIG['weight_decay'])",
};

/**
 * The schedule as a torch.optim.lr_scheduler, stepped once per epoch. Netloom's plateau rule
 * (shared/training/schedule.ts) reduces after `patience` epochs without improvement; PyTorch's after
 * more than `patience`, hence patience − 1.
 */
function makeScheduler(config: TrainingConfig): string {
  const s = config.schedule;
  let body = 'return None';
  if (s?.kind === 'step')
    body = `return torch.optim.lr_scheduler.StepLR(optimizer, step_size=${s.everyEpochs}, gamma=${s.factor})`;
  else if (s?.kind === 'cosine')
    body = `return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs), eta_min=${s.minLearningRate})`;
  else if (s?.kind === 'plateau')
    body =
      `return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=${s.factor}, ` +
      `patience=${s.patience - 1}, threshold=1e-4, threshold_mode='rel', min_lr=${s.minLearningRate})`;
  return `def make_scheduler(optimizer, epochs):
    """The project's learning-rate schedule, stepped after every epoch (None: a constant rate)."""
    ${body}`;
}

/** The optimizer the project chose, as a torch.optim constructor, and its schedule. */
function makeOptimizer(config: TrainingConfig): string {
  return `def make_optimizer(params, lr):
    return ${OPTIMIZER_CODE[config.optimizer]}


${makeScheduler(config)}`;
}

/** Losses and accuracy with Keras semantics, the tensors, Netloom's split, evaluation, a checksum. */
const HELPERS_PY = `def loss_value(name, pred, y):
    """Keras semantics: cross-entropies on probabilities clipped to [1e-7, 1 - 1e-7]."""
    if name == 'sparseCategoricalCrossentropy':
        p = pred.clamp(EPS, 1 - EPS).reshape(-1, pred.shape[-1])
        return F.nll_loss(torch.log(p), y.long().reshape(-1))
    if name == 'binaryCrossentropy':
        p = pred.clamp(EPS, 1 - EPS)
        y = F.one_hot(y.long(), p.shape[-1]).float() if p.shape[-1] > 1 and y.dim() == 1 else y.reshape(p.shape)
        return F.binary_cross_entropy(p, y.float())
    if name == 'meanAbsoluteError':
        return F.l1_loss(pred, y.reshape(pred.shape))
    return F.mse_loss(pred, y.reshape(pred.shape))


def correct_count(pred, y):
    if pred.shape[-1] == 1:
        return ((pred.reshape(-1) > 0.5).long() == y.long().reshape(-1)).sum().item()
    return (pred.reshape(-1, pred.shape[-1]).argmax(-1) == y.long().reshape(-1)).sum().item()


def as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def tensors(ds):
    per = 1
    for d in ds.sample_shape:
        per *= d
    x = torch.frombuffer(bytearray(ds.x.tobytes()), dtype=torch.int32 if ds.x.typecode == 'i' else torch.float32)
    x = x.reshape(ds.count, *ds.sample_shape)
    if INPUTS[0]['dtype'] == 'int32':
        x = x.long()
    else:
        x = x.float()
    y = torch.frombuffer(bytearray(ds.y.tobytes()), dtype=torch.int32 if ds.y.typecode == 'i' else torch.float32)
    y = y.reshape(ds.count, -1) if ds.target_size > 1 else y.reshape(ds.count)
    return x, (y.long() if CLASSIFICATION else y.float())


def split(count, holdout, generator):
    """Netloom's split: the dataset's own holdout rows, else a seeded shuffle with the last share held out."""
    if holdout > 0:
        order = torch.arange(count)
        return order[: count - holdout], order[count - holdout:]
    order = torch.randperm(count, generator=generator) if CONFIG['shuffle'] else torch.arange(count)
    n_val = int(count * CONFIG['validation_split'])
    return order[: count - n_val], order[count - n_val:]


def evaluate(model, x, y, device, batch_size):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size].to(device), y[start:start + batch_size].to(device)
            preds = as_tuple(model(*([xb] * len(INPUTS))))
            total += sum(loss_value(l, p, yb) for l, p in zip(LOSSES, preds)).item() * len(xb)
            if CLASSIFICATION:
                correct += correct_count(preds[0], yb)
            n += len(xb)
    model.train()
    return {'loss': total / max(n, 1), **({'accuracy': correct / max(n, 1)} if CLASSIFICATION else {})}


def checksum(model):
    """A digest of every parameter and buffer: equal on all ranks when DDP kept them in sync."""
    h = hashlib.sha256()
    for name, t in model.state_dict().items():
        h.update(name.encode())
        h.update(repr(t.detach().cpu().double().flatten().tolist()).encode())  # exact for float32
    return h.hexdigest()`;

/** main(): arguments, one process or DistributedDataParallel, the epochs, the saved weights. */
const MAIN_PY = `def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--epochs', type=int, default=CONFIG['epochs'], help='overrides the project\\'s epochs')
    ap.add_argument('--data', help='a CSV file or a .safetensors file of arrays (default: the exported data)')
    ap.add_argument('--batch-size', type=int, default=CONFIG['batch_size'])
    ap.add_argument('--lr', type=float, default=CONFIG['learning_rate'])
    ap.add_argument('--init-weights', help='start from these weights (e.g. weights.pt)')
    ap.add_argument('--out', default='trained.pt', help='where to save the trained state dict')
    ap.add_argument('--metrics', help='write the per-epoch metrics to this JSON file')
    args = ap.parse_args()

    distributed = int(os.environ.get('WORLD_SIZE', '1')) > 1
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group('nccl' if cuda else 'gloo')
        rank, world = dist.get_rank(), dist.get_world_size()
        local_rank = int(os.environ.get('LOCAL_RANK', '0'))
        device = torch.device('cuda', local_rank) if cuda else torch.device('cpu')
        if cuda:
            torch.cuda.set_device(device)
    else:
        rank, world, local_rank = 0, 1, 0
        device = torch.device('cuda' if cuda else 'cpu')

    # The same seed everywhere: every rank builds the same initial weights and the same split.
    random.seed(CONFIG['seed'])
    torch.manual_seed(CONFIG['seed'])
    generator = torch.Generator().manual_seed(CONFIG['seed'])

    ds = netloom_data.load(args.data)
    x, y = tensors(ds)
    train_idx, val_idx = split(ds.count, ds.holdout, generator)
    model = build_model().to(device)
    if args.init_weights:
        load_weights(model, args.init_weights)
    net = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None) if distributed else model
    train_set = TensorDataset(x[train_idx], y[train_idx])
    sampler = (DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=CONFIG['shuffle'],
                                  seed=CONFIG['seed']) if distributed else None)
    loader = DataLoader(train_set, batch_size=min(args.batch_size, len(train_set)), sampler=sampler,
                        shuffle=CONFIG['shuffle'] and sampler is None, generator=generator)
    optimizer = make_optimizer(net.parameters(), args.lr)
    scheduler = make_scheduler(optimizer, args.epochs)

    history = []
    start = evaluate(model, x[train_idx], y[train_idx], device, args.batch_size)
    if rank == 0:
        print(f'initial loss {start["loss"]:.4f} on {len(train_idx)} training samples'
              f'{f" ({world} processes)" if distributed else ""}', flush=True)
    for epoch in range(1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        sums = torch.zeros(3, dtype=torch.float64)
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            preds = as_tuple(net(*([xb] * len(INPUTS))))
            loss = sum(loss_value(l, p, yb) for l, p in zip(LOSSES, preds))
            loss.backward()
            if CONFIG['clip_norm'] is not None:
                torch.nn.utils.clip_grad_norm_(net.parameters(), CONFIG['clip_norm'])
            optimizer.step()
            sums += torch.tensor([loss.item() * len(xb), correct_count(preds[0].detach(), yb) if CLASSIFICATION else 0, len(xb)],
                                 dtype=torch.float64)
        if distributed:
            dist.all_reduce(sums)
        metrics = {'epoch': epoch, 'loss': sums[0].item() / max(sums[2].item(), 1)}
        if CLASSIFICATION:
            metrics['accuracy'] = sums[1].item() / max(sums[2].item(), 1)
        if len(val_idx):
            metrics.update({f'val_{k}': v for k, v in evaluate(model, x[val_idx], y[val_idx], device, args.batch_size).items()})
        metrics['learning_rate'] = optimizer.param_groups[0]['lr']
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(metrics.get('val_loss', metrics['loss']))
        elif scheduler is not None:
            scheduler.step()
        history.append(metrics)
        if rank == 0:
            print(f'epoch {epoch}/{args.epochs} ' + ' '.join(f'{k} {v:.4f}' for k, v in metrics.items() if k != 'epoch'),
                  flush=True)
    final = evaluate(model, x[train_idx], y[train_idx], device, args.batch_size)
    if rank == 0:
        print(f'final loss {final["loss"]:.4f}', flush=True)
        torch.save(model.state_dict(), args.out)
        print(f'saved {args.out}', flush=True)
        if args.metrics:
            with open(args.metrics, 'w') as f:
                json.dump({'initial': start, 'final': final, 'epochs': history, 'world_size': world}, f, indent=2)
    folder = os.environ.get('NETLOOM_CHECKSUM_DIR')
    if folder:  # one file per rank: the test checks they are identical after DDP training
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f'rank{rank}.json'), 'w') as f:
            json.dump({'rank': rank, 'world_size': world, 'sha256': checksum(model)}, f)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()`;

export function torchTrainPy(plan: ExportPlan, projectName: string, config: TrainingConfig): string {
  const losses = plan.outputs.map((o) => resolvedLoss(plan, config.loss, o));
  return (
    `${docstring(projectName, config)}\n${IMPORTS_PY}\n\n${settings(config, losses)}\n\n\n` +
    `${makeOptimizer(config)}\n\n\n${HELPERS_PY}\n\n\n${MAIN_PY}\n`
  );
}
