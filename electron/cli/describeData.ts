/**
 * `netloom new --data`: reads enough of a data source (a built-in dataset, a folder of images, a
 * CSV) to size a template for it, and says how the project will name it.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Preprocessing, Project } from '../../shared/ir/schema';
import { relativeInside } from '../services/dataPaths';
import { builtinDescriptor } from '../services/datasets/builtin';
import { importCsv } from '../services/datasets/csv';
import { DatasetError } from '../services/datasets/errors';
import { importImageFolder } from '../services/datasets/images';
import { readRegularFile } from '../services/regularFile';
import { embeddedName } from './dataFiles';
import { InvalidInputError, UsageError } from './errors';

export interface DataDescription {
  name: string;
  inputShape: number[];
  outputs: number;
  vocabSize?: number;
  task: 'classification' | 'regression';
  xDtype: 'float32' | 'int32';
  spec: NonNullable<Project['data']>;
  /** Rows, when known before loading (built-in datasets). */
  count?: number;
  embedded?: Map<string, Uint8Array>;
  /** Something to tell the user about the data (copied into the project). */
  note?: string;
}

export interface DescribeOptions {
  target?: string;
  embed?: boolean;
  imageSize?: [number, number];
  rgb?: boolean;
}

/** Reads enough of a data source to size a template for it. */
export async function describeData(
  source: string,
  outFile: string,
  opts: DescribeOptions,
): Promise<DataDescription> {
  if (source.startsWith('builtin:')) return describeBuiltin(source.slice('builtin:'.length));
  if (!existsSync(source)) throw new UsageError(`${source}: no such file.`);
  if (statSync(source).isDirectory()) return describeImages(source, outFile, opts);
  return describeCsv(source, outFile, opts);
}

function describeBuiltin(id: string): DataDescription {
  const d = builtinDescriptor(id);
  if (!d) throw new UsageError(`There is no built-in dataset "${id}". See: netloom datasets`);
  const vocab = d.options?.vocabSize?.default;
  return {
    name: d.name,
    inputShape: d.sampleShape,
    outputs: d.task === 'classification' ? (d.classes === 2 ? 1 : (d.classes ?? 2)) : 1,
    ...(vocab !== undefined ? { vocabSize: vocab } : {}),
    task: d.task,
    xDtype: vocab !== undefined ? 'int32' : 'float32',
    spec: { source: 'builtin', dataset: id, options: {} },
    count: d.size,
  };
}

async function describeImages(
  source: string,
  outFile: string,
  opts: DescribeOptions,
): Promise<DataDescription> {
  const [width, height] = opts.imageSize ?? [28, 28];
  let ds;
  try {
    ds = await importImageFolder(source, {
      width,
      height,
      grayscale: !opts.rgb,
      validationSplit: 0.2,
      seed: 42,
    });
  } catch (err) {
    if (err instanceof DatasetError) throw new InvalidInputError(`${source}: ${err.message}`);
    throw err;
  }
  // A project reads its images only from inside its own folder.
  const rel = await relativeInside(path.dirname(path.resolve(outFile)), source);
  if (rel === null)
    throw new UsageError(
      `${source} is not inside the folder of ${outFile}; a project reads its images only from its own folder. Write the project next to (or above) the image folder.`,
    );
  const k = ds.classes?.length ?? 2;
  return {
    name: ds.name,
    inputShape: ds.sampleShape,
    outputs: k === 2 ? 1 : k,
    task: 'classification',
    xDtype: 'float32',
    spec: {
      source: 'images',
      directory: rel,
      width,
      height,
      grayscale: !opts.rgb,
    },
  };
}

async function describeCsv(source: string, outFile: string, opts: DescribeOptions): Promise<DataDescription> {
  let imported;
  try {
    imported = await importCsv(source, {
      ...(opts.target ? { target: opts.target } : {}),
      validationSplit: 0.2,
      seed: 42,
    });
  } catch (err) {
    if (err instanceof DatasetError) throw new InvalidInputError(`${source}: ${err.message}`);
    throw err;
  }
  const ds = imported.dataset;
  const base = embeddedName(path.basename(source));
  // A CSV stays beside the project (relative to its folder) when it is inside that folder, and is
  // copied into the project otherwise: a project never names a file outside its folder.
  const rel = await relativeInside(path.dirname(path.resolve(outFile)), source);
  let embedded: Map<string, Uint8Array> | undefined;
  let note: string | undefined;
  if (opts.embed || rel === null) {
    const bytes = await readRegularFile(source);
    if (bytes.length > 50 * 2 ** 20)
      throw new UsageError(
        opts.embed
          ? `${source} is over 50 MB; keep it beside the project instead of --embed.`
          : `${source} is not inside the folder of ${outFile} and is over 50 MB, too big to copy into the project. Move it into the project's folder.`,
      );
    embedded = new Map([[base, new Uint8Array(bytes)]]);
    if (!opts.embed)
      note = `${source} is not inside the project's folder, so it was copied into the project.`;
  }
  return {
    name: ds.name,
    inputShape: ds.sampleShape,
    outputs:
      ds.task === 'classification'
        ? (ds.classes?.length ?? 2) === 2
          ? 1
          : ds.classes!.length
        : ds.targetSize,
    ...(ds.vocabSize !== undefined ? { vocabSize: ds.vocabSize } : {}),
    task: ds.task,
    xDtype: ds.xDtype,
    spec: {
      source: 'csv',
      file: embedded ? `data/${base}` : rel!,
      embedded: !!embedded,
      target: imported.preprocessing.target,
      columns: [],
      preprocessing: imported.preprocessing as Preprocessing,
    },
    ...(embedded ? { embedded } : {}),
    ...(note ? { note } : {}),
  };
}
