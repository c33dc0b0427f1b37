/** What every ONNX layer mapping shares: the layer signature, refusals, activations, LayerNorm. */
import { float, int, type OnnxBuilder } from './onnxGraph';
import { ExportError, type PlanNode } from './plan';
import type { HostTensor } from './tensors';

export type Weights = (name: string) => HostTensor;

/** A layer's ops: `x` are its inputs' value names in port order; returns its output's value name. */
export type OnnxLayer = (b: OnnxBuilder, n: PlanNode, x: readonly string[], w: Weights) => string;

/** Refuses a node with a message that names it. */
export function refuse(n: PlanNode, why: string): never {
  throw new ExportError(`${n.id} (${n.kind}): ${why}`);
}

export const x0 = (x: readonly string[]) => x[0]!;

/** The activation functions of the catalog, with Keras / TF.js semantics. */
export function activate(b: OnnxBuilder, n: PlanNode, x: string, fn: string, alpha = 0.2): string {
  switch (fn) {
    case 'linear':
      return x;
    case 'relu':
      return b.op('Relu', [x]);
    case 'sigmoid':
      return b.op('Sigmoid', [x]);
    case 'tanh':
      return b.op('Tanh', [x]);
    case 'softmax':
      return b.op('Softmax', [x], { axis: int(-1) });
    case 'gelu': {
      // Exact GELU (opset 17 has no Gelu op): 0.5 · x · (1 + erf(x / √2)).
      const e = b.op('Erf', [b.op('Mul', [x, b.scalar(Math.SQRT1_2)])]);
      return b.op('Mul', [b.op('Mul', [x, b.op('Add', [e, b.scalar(1)])]), b.scalar(0.5)]);
    }
    case 'elu':
      return b.op('Elu', [x], { alpha: float(1) });
    case 'selu':
      return b.op('Selu', [x]); // ONNX's default alpha and gamma are Keras's constants
    case 'softplus':
      return b.op('Softplus', [x]);
    case 'swish':
      return b.op('Mul', [x, b.op('Sigmoid', [x])]);
    case 'leakyRelu':
      return b.op('LeakyRelu', [x], { alpha: float(alpha) });
    default:
      return refuse(n, `the activation ${fn} has no ONNX form here.`);
  }
}

/** LayerNormalization over the last axis (the opset-17 op). */
export function layerNorm(
  b: OnnxBuilder,
  x: string,
  eps: number,
  gamma: HostTensor | null,
  beta: HostTensor | null,
  features: number,
  prefix = '',
): string {
  const scale = b.weight(
    `${prefix}gamma`,
    gamma ?? { shape: [features], data: new Float32Array(features).fill(1) },
  );
  const inputs = [x, scale, ...(beta ? [b.weight(`${prefix}beta`, beta)] : [])];
  return b.op('LayerNormalization', inputs, { axis: int(-1), epsilon: float(eps) }, true);
}
