/**
 * Graph -> Keras functional-model JSON, the form `tf.models.modelFromJSON` loads. Each node's layer
 * JSON comes from its layer spec; this module only names layers (by node id) and wires their inbound
 * nodes. Output nodes compile to nothing: the tensor feeding each one is a model output.
 */
import { checkGraph, type CheckGraph, formatIssue, type GraphReport } from '../graph/check';
import type { JsonValue } from '../layers/define';
import { type ModelNode, modelNodes } from '../graph/model';

export interface KerasModelJson {
  class_name: 'Model';
  config: {
    name: string;
    layers: {
      class_name: string;
      name: string;
      config: Record<string, JsonValue>;
      inbound_nodes: JsonValue[];
    }[];
    input_layers: [string, number, number][];
    output_layers: [string, number, number][];
  };
  keras_version: string;
  backend: string;
}

export interface CompiledGraph {
  model: KerasModelJson;
  /** Output node id -> the layer (node id) whose tensor it marks, in model output order. */
  outputs: { outputNode: string; layer: string }[];
  /** Input node ids, in model input order. */
  inputs: string[];
  report: GraphReport;
}

/**
 * The sources without trailing optional ports that only repeat their fallback's (attention with
 * only a query: [q] rather than [q, q, q]); the layer resolves the fallbacks the same way. tfjs'
 * inference frees a tensor once per input slot but counts it once per layer, so the same tensor
 * twice in one layer's inputs was freed while a later layer (a residual Add) still needed it.
 */
function distinctInputs(spec: ModelNode['spec'], config: ModelNode['config'], sources: string[]): string[] {
  const ports = spec.ports(config);
  const out = [...sources];
  for (let i = out.length - 1; i > 0; i--) {
    const fallback = ports[i]?.fallback;
    const j = fallback === undefined ? -1 : ports.findIndex((p) => p.name === fallback);
    if (j < 0 || out[i] !== out[j]) break;
    out.pop();
  }
  return out;
}

export class GraphInvalidError extends Error {
  override readonly name = 'GraphInvalidError';
  constructor(readonly report: GraphReport) {
    super(
      `The graph has ${report.errors} error${report.errors === 1 ? '' : 's'}:\n` +
        report.issues
          .filter((i) => i.severity === 'error')
          .map(formatIssue)
          .join('\n'),
    );
  }
}

export function toKerasModel(graph: CheckGraph, name = 'netloom_model'): CompiledGraph {
  const report = checkGraph(graph);
  if (!report.valid) throw new GraphInvalidError(report);
  const layers: KerasModelJson['config']['layers'] = [];
  const outputs: CompiledGraph['outputs'] = [];
  // Only the nodes with a path to an Output: a branch that feeds nothing is not part of the model.
  for (const { id, node, spec, config, sources } of modelNodes(graph, report)) {
    const rep = report.nodes.get(id)!;
    if (node.kind === 'Output') {
      outputs.push({ outputNode: id, layer: sources[0]! });
      continue;
    }
    const k = spec.keras(
      config,
      rep.inputShapes.filter((s) => s !== undefined),
    );
    if (!k) continue;
    layers.push({
      class_name: k.class_name,
      name: id,
      config: { ...k.config, name: id, trainable: true },
      inbound_nodes:
        sources.length === 0 ? [] : [distinctInputs(spec, config, sources).map((s) => [s, 0, 0, {}])],
    });
  }
  return {
    model: {
      class_name: 'Model',
      config: {
        name,
        layers,
        input_layers: report.inputs.map((i) => [i, 0, 0]),
        output_layers: outputs.map((o) => [o.layer, 0, 0]),
      },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    outputs,
    inputs: report.inputs,
    report,
  };
}
