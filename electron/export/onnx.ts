/**
 * ONNX export: `model.onnx` (opset 17) with the trained weights as initializers, and a README.md with
 * how to run it in onnxruntime (Python and Node).
 *
 * The model reads what Netloom's predict reads: Netloom's layout (channels last, sequences
 * [batch, time, features]), inputs and outputs named after the Input and Output nodes, a dynamic
 * batch axis (`batch`). For a numeric CSV project the standardisation Netloom fitted (mean, std and
 * missing-value fill per column) is part of the graph, so the model takes the raw feature columns.
 * Every op is named after the Netloom node it comes from. A layer or setting with no faithful ONNX
 * form is refused with an error that names the node; the export never writes a different model.
 */
import type { Preprocessing } from '../../shared/ir/schema';
import { type GraphValue, OnnxBuilder, OPSET } from './onnxGraph';
import { ONNX_LAYERS } from './onnxLayers';
import { onnxReadme } from './onnxReadme';
import { type ExportPlan, ExportError, planGraph, type PlanNode, str } from './plan';
import { planWeights } from './tensors';
import type { Exporter } from './types';

export const ONNX_FILE = 'model.onnx';

/** Numeric CSV columns the graph standardises itself; null when the project's data is not a CSV. */
function numericColumns(plan: ExportPlan, prep: Preprocessing | undefined) {
  if (!prep) return null;
  const other = prep.features.filter((f) => f.type !== 'numeric');
  if (other.length > 0)
    throw new ExportError(
      `The ONNX export takes raw numeric CSV columns only; ${other
        .slice(0, 5)
        .map((f) => `${f.column} (${f.type})`)
        .join(', ')} would need text or category encoding outside the model. ` +
        'Use the PyTorch export (its data.py encodes them), or make those columns numeric.',
    );
  const numeric = prep.features.flatMap((f) => (f.type === 'numeric' ? [f] : []));
  const input = plan.inputs[0]!;
  const shape = input.outputShape.slice(1);
  if (plan.inputs.length !== 1 || shape.length !== 1 || shape[0] !== numeric.length)
    throw new ExportError(
      `${input.id} (Input): the CSV has ${numeric.length} feature columns but the input's shape is [${shape.join(', ')}]; train the project again before exporting.`,
    );
  return numeric;
}

/** Raw columns -> what the network was trained on: missing values filled, then (x - mean) / std. */
function standardise(b: OnnxBuilder, x: string, columns: NonNullable<ReturnType<typeof numericColumns>>) {
  let v = x;
  if (columns.some((c) => c.fill !== undefined)) {
    const fill = b.floats(columns.map((c) => c.fill ?? Number.NaN));
    v = b.op('Where', [b.op('IsNaN', [x]), fill, x]);
  }
  const centred = b.op('Sub', [v, b.floats(columns.map((c) => c.mean))]);
  return b.op('Div', [centred, b.floats(columns.map((c) => c.std))], {}, true);
}

function inputValue(n: PlanNode): GraphValue {
  return { name: n.id, dtype: str(n, 'dtype') === 'int32' ? 'int32' : 'float32', shape: n.outputShape };
}

export const exportOnnx: Exporter = async (bundle, _options, version) => {
  const project = bundle.project;
  const plan = planGraph(project.graph);
  if (!bundle.weights)
    throw new ExportError(
      'The ONNX export holds the trained weights: train the network first (netloom train), then export.',
    );
  const weightsOf = planWeights(plan, bundle.weights);
  const data = project.data;
  const columns = numericColumns(plan, data?.source === 'csv' ? data.preprocessing : undefined);
  const b = new OnnxBuilder();
  const values = new Map<string, string>();
  for (const input of plan.inputs) {
    b.reserve(input.id);
    b.begin(input.id);
    values.set(input.id, columns ? standardise(b, input.id, columns) : input.id);
    b.end();
  }
  for (const n of plan.nodes) {
    if (n.kind === 'Input') continue;
    b.begin(n.id);
    const args = n.sources.map((s) => values.get(s)!);
    const y =
      n.kind === 'Output'
        ? b.opN('Identity', args.slice(0, 1), {}, { main: true, out: n.id })[0]!
        : ONNX_LAYERS[n.kind](b, n, args, weightsOf(n));
    b.end();
    values.set(n.id, y);
  }
  const inputs = plan.inputs.map(inputValue);
  const outputs: GraphValue[] = plan.outputs.map(({ node }) => ({
    name: node.id,
    dtype: 'float32',
    shape: node.outputShape,
  }));
  const model = b.encode(project.name, inputs, outputs, {
    producerVersion: version,
    doc: `${project.name}, exported by Netloom ${version}. Inputs in Netloom's layout (channels last).`,
    props: columns ? { netloom_feature_columns: JSON.stringify(columns.map((c) => c.column)) } : {},
  });
  const files = new Map<string, Uint8Array | string>([[ONNX_FILE, model]]);
  files.set(
    'README.md',
    onnxReadme({
      name: project.name,
      version,
      opset: OPSET,
      inputs,
      outputs,
      columns: columns?.map((c) => c.column) ?? null,
      target: data?.source === 'csv' ? (data.preprocessing?.target ?? null) : null,
    }),
  );
  return files;
};
