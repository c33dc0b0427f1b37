/** Options every exporter takes (see `exportProject`). */
import type { ProjectBundle } from '../../shared/ir/project';
import type { ArrayDataset } from '../../shared/training/data';

export { EXPORT_FORMATS, type ExportFormat } from '../../shared/export/formats';

export interface ExportOptions {
  /**
   * Replace an earlier export: a non-empty output folder is replaced as a whole only if Netloom
   * exported it (its `.netloom-export.json` manifest is valid) and it holds nothing the manifest does
   * not list. Any other non-empty folder is refused, with or without `force`.
   */
  force?: boolean;
  /**
   * Paths an export must never replace, write into or lose (files or folders: the project file, the
   * served folder). An output folder that is one of them, or that holds one, is refused; real paths
   * are compared, so a symlink to such a folder is refused too.
   */
  protectedPaths?: readonly string[];
  /**
   * Serve mode: the folder everything must stay inside. The output folder must be strictly inside it
   * (never the folder itself), so the staging folder and the replaced folder moved aside, both made
   * beside the output folder, are inside it too.
   */
  confineTo?: string;
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
  /**
   * Trained weights that do not fit the graph (an edit after training): `refuse` (default) fails the
   * export with the reason; `drop` exports without them and says so in the result's `note`.
   */
  staleWeights?: 'refuse' | 'drop';
  /** PNG only: pixels per SVG unit (default 2). */
  scale?: number;
}

/** The files of an export, by path inside its folder. */
export type ExportFiles = Map<string, Uint8Array | string>;

/** An exporter: the project to the files of one format, in memory (exportProject writes them). */
export type Exporter = (
  bundle: ProjectBundle,
  options: ExportOptions,
  version: string,
) => Promise<ExportFiles>;
