/**
 * Image-folder import: one subfolder per class (`cats/`, `dogs/`...), every image decoded and
 * resized with sharp to the chosen size, grayscale or RGB, scaled to 0..1. Rows are shuffled with
 * the seed and the last `holdout` are the validation rows, as for the other datasets.
 *
 * Only regular files are read: an image-named FIFO, socket or device in a class folder is refused
 * with its name, and each image is read through `readRegularFile` (non-blocking open, fstat) and
 * handed to sharp as bytes, so a file swapped for a FIFO after the listing is refused too, never
 * waited on (a blocked open would hold one of libuv's four threads for good).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describeKind, NotRegularFileError, readRegularFile } from '../regularFile';
import type { LoadedDataset } from './builtin';
import { checkAborted, DatasetError, yieldToEventLoop } from './errors';
import { createRng, permutation } from '../../../shared/random';
import { holdoutFor } from './split';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/** No training image is this big; a bigger file is refused rather than read into memory. */
const MAX_IMAGE_BYTES = 256 * 2 ** 20;

export interface ImageFolderOptions {
  width: number;
  height: number;
  grayscale: boolean;
  seed?: number;
  validationSplit?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
  /** At most this many images are read (default 100,000). */
  maxImages?: number;
}

export async function importImageFolder(dir: string, o: ImageFolderOptions): Promise<LoadedDataset> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    throw new DatasetError('unusable', `Cannot read the folder ${dir}.`);
  }
  const classes = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  if (classes.length < 2)
    throw new DatasetError(
      'unusable',
      `${dir} needs one subfolder per class (at least two), each holding that class's images; found ${classes.length}.`,
    );
  const files: { file: string; cls: number }[] = [];
  for (const [cls, name] of classes.entries()) {
    const images = (await fs.readdir(path.join(dir, name), { withFileTypes: true })).filter((e) =>
      IMAGE_EXT.has(path.extname(e.name).toLowerCase()),
    );
    // An image-named FIFO, socket or device is refused by name (symbolic links are skipped, as before).
    const special = images.find((e) => !e.isFile() && !e.isDirectory() && !e.isSymbolicLink());
    if (special)
      throw new DatasetError(
        'unusable',
        `${path.join(name, special.name)}: ${describeKind(special)}, not a regular file; only image files can be imported.`,
      );
    const inClass = images
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    if (inClass.length === 0)
      throw new DatasetError(
        'unusable',
        `The class folder "${name}" has no images (png, jpg, webp, gif, tiff, avif).`,
      );
    for (const f of inClass) files.push({ file: path.join(dir, name, f), cls });
  }
  const max = o.maxImages ?? 100_000;
  if (files.length > max)
    throw new DatasetError('unusable', `${dir} has ${files.length} images; at most ${max} can be imported.`);
  const channels = o.grayscale ? 1 : 3;
  const per = o.width * o.height * channels;
  const x = new Float32Array(files.length * per);
  const y = new Int32Array(files.length);
  const order = permutation(files.length, createRng(o.seed ?? 42, `images:${dir}`).next);
  for (let i = 0; i < files.length; i++) {
    checkAborted(o.signal, 'Importing the images');
    const { file, cls } = files[order[i]!]!;
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(file, MAX_IMAGE_BYTES);
    } catch (err) {
      throw new DatasetError(
        'unusable',
        err instanceof NotRegularFileError
          ? `${path.relative(dir, file)}: ${err.what}, not a regular file; only image files can be imported.`
          : `${path.relative(dir, file)}: cannot read this file (${err instanceof Error ? err.message : String(err)}).`,
      );
    }
    let raw: Buffer;
    try {
      let img = sharp(bytes).rotate().resize(o.width, o.height, { fit: 'fill' }).removeAlpha();
      img = o.grayscale ? img.grayscale() : img.toColourspace('srgb');
      raw = await img.raw().toBuffer();
    } catch (err) {
      throw new DatasetError(
        'unusable',
        `${path.relative(dir, file)}: cannot decode this image (${err instanceof Error ? err.message : String(err)}).`,
      );
    }
    if (raw.length !== per)
      throw new DatasetError(
        'unusable',
        `${path.relative(dir, file)}: decoded to ${raw.length} values, expected ${per}.`,
      );
    for (let k = 0; k < per; k++) x[i * per + k] = raw[k]! / 255;
    y[i] = cls;
    if (i % 32 === 31) {
      o.onProgress?.({ done: i + 1, total: files.length });
      await yieldToEventLoop();
    }
  }
  o.onProgress?.({ done: files.length, total: files.length });
  return {
    id: `images:${path.basename(dir)}`,
    name: path.basename(dir),
    task: 'classification',
    x,
    sampleShape: [o.height, o.width, channels],
    xDtype: 'float32',
    y,
    targetSize: 1,
    classes,
    count: files.length,
    holdout: holdoutFor(files.length, o.validationSplit ?? 0.2),
    source: `image folder ${dir}`,
  };
}
