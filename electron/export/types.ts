/** Options every exporter takes (see `exportProject`). */
import type { ArrayDataset } from '../../shared/training/data';

export const EXPORT_FORMATS = ['pytorch', 'keras', 'tfjs', 'svg', 'png'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** Replace the contents of a non-empty output folder (default: refuse). */
  force?: boolean;
  /**
   * The project's data as arrays (a built-in dataset, images, or a CSV already encoded): written to
   * `data/dataset.safetensors` for the PyTorch and Keras scripts.
   */
  dataset?: ArrayDataset;
  /**
   * The CSV import's statistics (the dataset service's `CsvPreprocessing`): written to
   * `preprocessing.json` so the scripts encode CSV rows exactly as Netloom did.
   */
  preprocessing?: object;
  /** A CSV the project references but does not embed (read by the caller next to the project file). */
  csv?: { name: string; bytes: Uint8Array };
  /** Netloom's version, written into generated files (default: `dev`). */
  version?: string;
  /** PNG only: pixels per SVG unit (default 2). */
  scale?: number;
}
