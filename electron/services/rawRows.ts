/**
 * Rows to predict on for a project without data (an imported model): each CSV row is one sample, the
 * values of the model's input flattened row-major in the source model's own layout (an ONNX image
 * model's channels first: C, H, W), with or without a header row. Rows of another width, values that
 * are not numbers, and token ids that are not whole numbers are refused with their row and column.
 */
import Papa from 'papaparse';
import { readRegularFile } from './regularFile';

/** At most this much CSV is read for a prediction. */
const MAX_BYTES = 512 * 2 ** 20;
/** At most this many input values in one prediction (rows × values per row): 1 GiB of float32. */
const MAX_VALUES = 2 ** 28;

export class RawRowsError extends Error {
  override readonly name = 'RawRowsError';
}

export interface RawRows {
  x: Float32Array | Int32Array;
  count: number;
  sampleShape: number[];
  dtype: 'float32' | 'int32';
}

/** Index maps a channels-first sample ([C, ...spatial]) onto channels last ([...spatial, C]). */
function channelsLastOrder(shape: readonly number[]): Int32Array {
  const c = shape.at(-1)!;
  const spatial = shape.slice(0, -1);
  const positions = spatial.reduce((a, d) => a * d, 1);
  const order = new Int32Array(positions * c);
  // ours[p * C + k] = theirs[k * positions + p]
  for (let p = 0; p < positions; p++) for (let k = 0; k < c; k++) order[p * c + k] = k * positions + p;
  return order;
}

export async function readRawRows(
  file: string,
  input: { shape: readonly (number | null)[]; dtype: 'float32' | 'int32' },
  layout: 'channels-last' | 'channels-first',
): Promise<RawRows> {
  if (!input.shape.every((d): d is number => typeof d === 'number'))
    throw new RawRowsError(
      `the model's input [${input.shape.map((d) => d ?? '?').join(', ')}] has a variable axis; rows of a CSV cannot say its length.`,
    );
  const shape = input.shape as number[];
  const per = shape.reduce((a, d) => a * d, 1);
  let text: string;
  try {
    text = (await readRegularFile(file, MAX_BYTES)).toString('utf8');
  } catch (err) {
    if (err instanceof RangeError) throw new RawRowsError(err.message);
    throw err;
  }
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const rows = parsed.data;
  const isNumber = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));
  const header = rows.length > 0 && !rows[0]!.every(isNumber) ? 1 : 0;
  const count = rows.length - header;
  if (count <= 0) throw new RawRowsError('no rows of values.');
  // Every row's width first: nothing is allocated for a model's input before the rows say they fit it.
  for (let r = 0; r < count; r++) {
    const width = rows[r + header]!.length;
    if (width !== per)
      throw new RawRowsError(
        `row ${r + header + 1}: ${width} values; the model's input [${shape.join(', ')}] takes ${per} per row.`,
      );
  }
  if (count * per > MAX_VALUES)
    throw new RawRowsError(
      `${count} rows of ${per} values is more than ${MAX_VALUES} values; predict in parts.`,
    );
  const x = input.dtype === 'int32' ? new Int32Array(count * per) : new Float32Array(count * per);
  const order = layout === 'channels-first' && shape.length >= 2 ? channelsLastOrder(shape) : null;
  const values = new Float64Array(per);
  for (let r = 0; r < count; r++) {
    const row = rows[r + header]!;
    const line = r + header + 1;
    for (let i = 0; i < per; i++) {
      const v = Number(row[i]);
      if (!isNumber(row[i]!))
        throw new RawRowsError(`row ${line}, column ${i + 1}: ${JSON.stringify(row[i])} is not a number.`);
      if (input.dtype === 'int32' && !Number.isInteger(v))
        throw new RawRowsError(`row ${line}, column ${i + 1}: ${row[i]} is not a whole number (a token id).`);
      values[i] = v;
    }
    const base = r * per;
    for (let i = 0; i < per; i++) x[base + i] = values[order ? order[i]! : i]!;
  }
  return { x, count, sampleShape: shape, dtype: input.dtype };
}
