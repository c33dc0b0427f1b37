/**
 * The real sets shipped with the app in `assets/datasets/` (written by scripts/make-datasets.py):
 * iris and the 8×8 digits. Licences: assets/datasets/README.md.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from '../errors';
import { finish, type Context, type Entry, type LoadedDataset } from './entry';

const IRIS_SOURCE =
  'Iris: R. A. Fisher (1936), UCI Machine Learning Repository, https://doi.org/10.24432/C56C76. CC BY 4.0.';
const DIGITS_SOURCE =
  'Optical Recognition of Handwritten Digits: E. Alpaydin, C. Kaynak (1998), UCI Machine Learning Repository, https://doi.org/10.24432/C50P49 (test set, as bundled by scikit-learn). CC BY 4.0.';

async function readAsset(ctx: Context, file: string): Promise<Buffer> {
  const path = join(ctx.assetsDir, file);
  try {
    return await readFile(path);
  } catch {
    throw new DatasetError(
      'missing-file',
      `The built-in data file ${path} is missing. Reinstall Netloom, or regenerate it with \`/usr/bin/python3 scripts/make-datasets.py\`.`,
    );
  }
}

async function loadIris(ctx: Context): Promise<LoadedDataset> {
  const text = (await readAsset(ctx, 'iris.csv')).toString('utf8');
  const [header, ...rows] = text.trim().split('\n');
  const featureNames = header!.split(',').slice(0, 4);
  const classes = ['setosa', 'versicolor', 'virginica'];
  const x = new Float32Array(rows.length * 4);
  const y = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const f = row.split(',');
    for (let j = 0; j < 4; j++) x[i * 4 + j] = Number(f[j]);
    y[i] = classes.indexOf(f[4]!);
  });
  return finish(ctx, {
    id: 'iris',
    name: 'Iris flowers',
    task: 'classification',
    x,
    sampleShape: [4],
    xDtype: 'float32',
    y,
    targetSize: 1,
    classes,
    featureNames,
    count: rows.length,
    source: IRIS_SOURCE,
  });
}

async function loadDigits(ctx: Context): Promise<LoadedDataset> {
  const raw = gunzipSync(await readAsset(ctx, 'digits.bin.gz'));
  const n = raw.length / 65;
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 64; j++) x[i * 64 + j] = raw[i * 65 + j]! / 16;
    y[i] = raw[i * 65 + 64]!;
  }
  return finish(ctx, {
    id: 'digits',
    name: 'Handwritten digits (8×8)',
    task: 'classification',
    x,
    sampleShape: [8, 8, 1],
    xDtype: 'float32',
    y,
    targetSize: 1,
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    count: n,
    source: DIGITS_SOURCE,
  });
}

export const IRIS: Entry = {
  descriptor: {
    id: 'iris',
    name: 'Iris flowers',
    description:
      '150 flowers, 4 measurements (sepal and petal length and width, cm), 3 species. Small tabular data: the place where logistic regression is hard to beat.',
    task: 'classification',
    size: 150,
    sampleShape: [4],
    classes: 3,
    licence: 'CC BY 4.0 (UCI Machine Learning Repository)',
  },
  options: {},
  load: loadIris,
};

export const DIGITS: Entry = {
  descriptor: {
    id: 'digits',
    name: 'Handwritten digits (8×8)',
    description: '1,797 small grayscale images of digits 0–9 (8×8 pixels, scaled to 0..1).',
    task: 'classification',
    size: 1797,
    sampleShape: [8, 8, 1],
    classes: 10,
    licence: 'CC BY 4.0 (UCI Machine Learning Repository)',
  },
  options: {},
  load: loadDigits,
};
