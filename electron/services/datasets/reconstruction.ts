/**
 * An autoencoder's data: the targets are the inputs. The dataset keeps its samples and split; its
 * labels give way to the samples themselves, a regression over every value of a sample.
 */
import type { ArrayDataset } from '../../../shared/training/data';
import { DatasetError } from './errors';

/**
 * The same rows with `y = x` (the same array: nothing writes to a dataset's arrays, and training
 * shares one copy of them). Token ids are refused: they are names of words, not values to rebuild.
 */
export function asReconstruction<T extends ArrayDataset>(ds: T): T {
  if (ds.xDtype !== 'float32' || !(ds.x instanceof Float32Array))
    throw new DatasetError(
      'unusable',
      `${ds.name} holds token ids, not values a network can rebuild; an autoencoder (targets: inputs) needs numeric samples such as images. Set the data's targets back to its labels.`,
    );
  const targetSize = ds.sampleShape.reduce((a, d) => a * d, 1);
  const { classes: _classes, ...rest } = ds;
  return { ...(rest as T), task: 'regression', y: ds.x, targetSize, reconstruction: true };
}
