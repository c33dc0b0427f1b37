/**
 * The export formats: one list, read by the CLI (`--format`), the IPC contract and the app's Export
 * dialog. A new format adds its entry here and its exporter in `electron/export/`, which the
 * exporter table (`EXPORTERS`, a map over `ExportFormat`) then requires.
 */
export const EXPORT_FORMAT_INFO = [
  {
    id: 'pytorch',
    label: 'PyTorch package',
    note: 'model.py, train.py (torchrun / DDP ready), data.py, predict.py, weights',
  },
  { id: 'keras', label: 'Keras script', note: 'model.py with the functional API and train.py' },
  { id: 'tfjs', label: 'TensorFlow.js model', note: 'model.json + weights.bin for tf.loadLayersModel' },
  {
    id: 'onnx',
    label: 'ONNX model',
    note: 'model.onnx (opset 17, trained weights inside) for onnxruntime in Python, Node, C++, C#…',
  },
  {
    id: 'svg',
    label: 'Diagram (SVG)',
    note: 'the graph with shapes and parameter counts, for papers and slides',
  },
  { id: 'png', label: 'Diagram (PNG)', note: 'the same diagram as an image' },
] as const;

export type ExportFormat = (typeof EXPORT_FORMAT_INFO)[number]['id'];

export const EXPORT_FORMATS = EXPORT_FORMAT_INFO.map((f) => f.id) as readonly ExportFormat[] as readonly [
  ExportFormat,
  ...ExportFormat[],
];
