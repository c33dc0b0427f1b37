/** What the dataset tests share. */
import { expect } from 'vitest';
import { DatasetError } from '../../../electron/services/datasets/errors';

/** The `DatasetError` that `p` rejects with (the test fails when it resolves or throws another error). */
export async function failure(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected the import to fail');
}
