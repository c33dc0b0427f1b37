/** The checker's public types: the graph it reads and the report it gives. */
import type { LayerKind } from '../../layers/index';
import type { Shape } from '../../layers/shape';

/** The part of a graph the checker reads (positions and names do not matter to it). */
export interface CheckNode {
  readonly id: string;
  readonly kind: string;
  readonly name?: string | undefined;
  readonly params: Readonly<Record<string, unknown>>;
}
export interface CheckEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly targetPort: string;
}
/** A block's definition (see `blockDefSchema`): a subgraph Block nodes stand for. */
export interface CheckBlock {
  readonly id: string;
  readonly name: string;
  readonly nodes: readonly CheckNode[];
  readonly edges: readonly CheckEdge[];
}
export interface CheckGraph {
  readonly nodes: readonly CheckNode[];
  readonly edges: readonly CheckEdge[];
  readonly blocks?: readonly CheckBlock[] | undefined;
}

export type IssueCode =
  | 'duplicate-id'
  | 'unknown-kind'
  | 'bad-param'
  | 'dangling-edge'
  | 'unknown-port'
  | 'output-has-no-output'
  | 'self-loop'
  | 'cycle'
  | 'port-unconnected'
  | 'port-multiple'
  | 'shape'
  | 'upstream'
  | 'no-input'
  | 'no-output'
  | 'unused'
  | 'loss'
  | 'nothing-to-learn'
  | 'token-ids'
  | 'block';

/** A repair the editor can apply: insert a node of `insert.kind` on the edge into `before`. */
export interface GraphFix {
  label: string;
  insert: { kind: LayerKind; params: Record<string, unknown> };
  before: { nodeId: string; port: string };
}

export interface GraphIssue {
  severity: 'error' | 'warning';
  code: IssueCode;
  message: string;
  nodeId?: string;
  kind?: string;
  port?: string;
  param?: string;
  edgeId?: string;
  fix?: GraphFix;
}

export interface WeightInfo {
  name: string;
  shape: readonly number[];
  count: number;
  trainable: boolean;
}

export interface ParamCount {
  total: number;
  trainable: number;
  nonTrainable: number;
  weights: WeightInfo[];
  /** `784 × 128 + 128 = 100,480` */
  arithmetic: string;
}

export interface NodeReport {
  id: string;
  kind: string;
  /** Shapes of the tensors on its input ports, in port order (fallbacks resolved). */
  inputShapes: (Shape | undefined)[];
  outputShape: Shape | undefined;
  params: ParamCount | undefined;
  flops: number | undefined;
  issues: GraphIssue[];
}

export interface GraphReport {
  /** Nodes inputs-first; nodes on a cycle are left out. */
  order: string[];
  nodes: Map<string, NodeReport>;
  /** The shape on each edge (the source's output shape). */
  edgeShapes: Map<string, Shape>;
  issues: GraphIssue[];
  errors: number;
  warnings: number;
  valid: boolean;
  totals: { params: number; trainable: number; nonTrainable: number; flops: number };
  inputs: string[];
  outputs: string[];
  /**
   * The nodes the model is made of, inputs-first: those with a path to an Output (Outputs
   * included). A branch that feeds no Output is left out of training, weights and exports (it is
   * warned about as unused); `inputs` lists only the Inputs among them.
   */
  live: string[];
}
