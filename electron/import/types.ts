/**
 * What an importer (ONNX, TF.js layers) produces: a graph in the catalog's own kinds and params, and
 * each layer's weights in the catalog's names and layout (the TF.js/Keras one: Dense kernel
 * [in, out], Conv kernels HWIO, LSTM gates i, f, c, o). `./project.ts` turns it into a project.
 * Importers read untrusted files: they never execute anything a file holds, check sizes before they
 * allocate, and refuse what does not map with every unsupported operator named.
 */
import type { LayerKind } from '../../shared/layers/index';
import type { ParamValue } from '../../shared/ir/schema';

export type ImportFormat = 'onnx' | 'tfjs';

export interface ImportedNode {
  /** A catalog id (`^[A-Za-z][A-Za-z0-9_-]{0,63}$`), unique; importers derive it from the source's names. */
  id: string;
  kind: LayerKind;
  /** The layer's params; missing ones take the catalog's defaults. */
  params: Record<string, ParamValue>;
  /** The source model's own name for the layer or operator, when it differs from the id. */
  name?: string;
}

export interface ImportedEdge {
  source: string;
  target: string;
  /** The target's input port (`in`, `in1`, `query`...). */
  targetPort: string;
}

export interface HostWeight {
  shape: number[];
  data: Float32Array;
}

export interface ImportedModel {
  format: ImportFormat;
  /** The source model's name, if it has one. */
  name?: string;
  nodes: ImportedNode[];
  edges: ImportedEdge[];
  /** The nodes whose tensors the model outputs, in the source's output order (an Output node follows each). */
  outputs: string[];
  /** Per node id, its weights by the catalog's weight name (`kernel`, `bias`, `forward_kernel`...). */
  weights: Map<string, Record<string, HostWeight>>;
  /**
   * How a sample's values are ordered in the source model: `channels-first` for an ONNX image model
   * (N, C, H, W) whose Netloom graph is channels last. `netloom predict` on a project without data
   * reads rows in this order.
   */
  layout: 'channels-last' | 'channels-first';
}

/** A model that cannot be imported: the message says where and why. Nothing is written. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
}

export interface UnsupportedOp {
  /** The operator (ONNX op type) or layer class (Keras class name). */
  op: string;
  count: number;
  /** The source's names of the nodes/layers that use it (the first few). */
  nodes: string[];
}

/** The model uses operators or layers with no counterpart in the catalog: every one of them, counted. */
export class UnsupportedModelError extends ImportError {
  constructor(
    readonly format: ImportFormat,
    readonly unsupported: UnsupportedOp[],
  ) {
    super(
      `The model uses ${format === 'onnx' ? 'operators' : 'layers'} Netloom cannot import:\n` +
        unsupported
          .map(
            (u) =>
              `  ${u.op} ×${u.count} (${u.nodes.slice(0, 5).join(', ')}${u.nodes.length > 5 ? ', …' : ''})`,
          )
          .join('\n') +
        '\nNothing was imported.',
    );
  }
}

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}…` : s);

/** Collects unsupported operators as a walk meets them; `throwIfAny` refuses with all of them. */
export class UnsupportedList {
  private readonly byOp = new Map<string, UnsupportedOp>();
  /** At most this many kinds are kept (a file can name any number of made-up operators). */
  private static readonly MAX_KINDS = 200;
  add(opName: string, nodeName: string): void {
    // Names come from the file: kept short, so a message stays readable whatever the file holds.
    const op = clip(opName);
    const node = clip(nodeName);
    if (!this.byOp.has(op) && this.byOp.size >= UnsupportedList.MAX_KINDS) return;
    const u = this.byOp.get(op) ?? { op, count: 0, nodes: [] };
    u.count++;
    if (u.nodes.length < 20) u.nodes.push(node);
    this.byOp.set(op, u);
  }
  get size(): number {
    return this.byOp.size;
  }
  throwIfAny(format: ImportFormat): void {
    if (this.byOp.size)
      throw new UnsupportedModelError(
        format,
        [...this.byOp.values()].sort((a, b) => b.count - a.count || a.op.localeCompare(b.op)),
      );
  }
}

/** Limits every importer applies before it allocates (untrusted files). */
export const IMPORT_LIMITS = {
  /** A model file (ONNX protobuf, model.json, one weight shard). */
  maxFileBytes: 1 << 30,
  /** model.json. */
  maxJsonBytes: 64 << 20,
  /** Operators or layers in one model. */
  maxNodes: 20_000,
  /** Elements in one weight tensor. */
  maxTensorElements: 2 ** 28,
  /** Rank of any tensor or shape. */
  maxRank: 8,
  /** Nesting depth of JSON configs or ONNX subgraphs. */
  maxDepth: 32,
} as const;

/** A catalog id from a source name: letters, digits, _ and -, starting with a letter, unique in `taken`. */
export function idFrom(name: string, taken: Set<string>, fallback = 'layer'): string {
  let base = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z]+/, '');
  if (!base) base = fallback;
  base = base.slice(0, 56);
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}_${k}`;
  taken.add(id);
  return id;
}
