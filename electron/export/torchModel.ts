/**
 * model.py of the PyTorch export (the graph as an nn.Module, from torchLayers.ts and the Python blocks
 * of pyruntime.ts) and the trained weights as that module's state dict. A block of the graph is a
 * class of its own (see structure.ts), used once per Block node, so its weights sit under the Block
 * node's submodule (`block_1.0.dense_a.weight` for the first copy of a repeated block).
 */
import type { ProjectBundle } from '../../shared/ir/project';
import { helperClosure, HELPER_CODE, type Helper } from './pyruntime';
import { TORCH_LAYERS } from './torchLayers';
import { type ExportPlan, finalActivation, pyShape, pyStr, str } from './plan';
import {
  type BlockBody,
  blockIdentifier,
  localNames,
  modelStructure,
  modulePaths,
  type Step,
  uniqueName,
} from './structure';
import { type HostTensor, planWeights } from './tensors';

export const WEIGHTS_FILE = 'weights.pt';

/** A line of a forward(), and its comment (the tensor's shape). */
interface Line {
  code: string;
  comment?: string | undefined;
}

/** The module-level names of model.py a block's class must not take (and builtins it might use). */
const MODULE_NAMES = [
  ...'json math sys torch F nn INPUTS OUTPUTS NetloomModel build_model load_weights'.split(' '),
  ...Object.values(HELPER_CODE).flatMap((c) => [...c.matchAll(/^(?:class|def) (\w+)/gm)].map((m) => m[1]!)),
  ...'Exception ValueError TypeError RuntimeError KeyError IndexError NotImplementedError'.split(' '),
];

/**
 * The classes of model.py's blocks: one per definition, named after the block; a second one
 * (`Residual_2`) only where a copy needs other code (a use on inputs of other sizes, or a port left
 * unconnected so an optional input takes its fallback).
 */
class TorchClasses {
  readonly code: string[] = [];
  private readonly byKey = new Map<string, { name: string; lines: Line[]; at: number }>();
  private readonly first = new Map<string, string>();

  constructor(private readonly used: Set<string>) {}

  /** The class of one copy of a block (written the first time, with the classes it uses before it). */
  nameOf(body: BlockBody): string {
    const { init, lines } = scopeCode(body.steps, this);
    lines.push({ code: `return ${body.result}` });
    const key = JSON.stringify([body.def.id, body.params, init, lines.map((l) => l.code)]);
    const known = this.byKey.get(key);
    if (known) {
      // Copies with other shapes share the code: keep only the comments they agree on.
      known.lines.forEach((l, i) => l.comment !== lines[i]?.comment && (l.comment = undefined));
      this.code[known.at] = this.render(known.name, body, init, known.lines);
      return known.name;
    }
    const first = this.first.get(body.def.id);
    const name = uniqueName(first ?? blockIdentifier(body.def.name, 'class'), this.used);
    if (!first) this.first.set(body.def.id, name);
    this.byKey.set(key, { name, lines, at: this.code.length });
    this.code.push(this.render(name, body, init, lines));
    return name;
  }

  private render(name: string, body: BlockBody, init: readonly string[], lines: readonly Line[]): string {
    const first = this.first.get(body.def.id)!;
    const what =
      first === name
        ? `The block ${pyStr(body.def.name)}`
        : `The block ${pyStr(body.def.name)} (like ${first}, for inputs of other sizes or connections)`;
    return `class ${name}(nn.Module):
    """${what}: its layers are submodules named after them."""

    def __init__(self):
        super().__init__()${init.map((l) => `\n        ${l}`).join('')}

    def forward(self, ${body.params.join(', ')}):
${pyLines(lines)}`;
  }
}

function pyLines(lines: readonly Line[]): string {
  return lines.map((l) => `        ${l.code}${l.comment ? `  # ${l.comment}` : ''}`).join('\n');
}

/** A scope's submodules (`self.<name> = ...`) and forward() lines. */
function scopeCode(steps: readonly Step[], classes: TorchClasses): { init: string[]; lines: Line[] } {
  const init: string[] = [];
  const lines: Line[] = [];
  for (const s of steps) {
    const m = `self.${s.py}`;
    if (s.type === 'block') {
      const names = s.copies.map((c) => `${classes.nameOf(c)}()`);
      init.push(`${m} = ${names.length === 1 ? names[0] : `nn.Sequential(${names.join(', ')})`}`);
      lines.push({
        code: `${s.py} = ${m}(${s.args.join(', ')})`,
        comment: shapeComment(s.output.outputShape),
      });
      continue;
    }
    const n = s.node;
    if (n.kind === 'Input' || n.kind === 'Output') continue;
    const layer = TORCH_LAYERS[n.kind];
    if (layer.module) init.push(`${m} = ${layer.module(n)}`);
    lines.push({ code: `${s.py} = ${layer.call(n, m, s.args)}`, comment: shapeComment(n.outputShape) });
  }
  return { init, lines };
}

/** model.py for a plan. */
export function torchModelPy(plan: ExportPlan, projectName: string, version: string): string {
  const helpers = new Set<Helper>();
  for (const n of plan.nodes) {
    const needs = TORCH_LAYERS[n.kind].helpers;
    (typeof needs === 'function' ? needs(n) : needs).forEach((h) => helpers.add(h));
  }
  const structure = modelStructure(plan);
  const classes = new TorchClasses(new Set([...MODULE_NAMES, ...localNames(structure.steps)]));
  const { init, lines } = scopeCode(structure.steps, classes);
  const blocks = classes.code.length > 0;
  const returns = structure.returns;
  const inputsMeta = plan.inputs.map(
    (i) =>
      `    {'name': ${pyStr(i.id)}, 'shape': ${pyShape(i.outputShape.slice(1))}, 'dtype': ${pyStr(str(i, 'dtype'))}},`,
  );
  const outputsMeta = plan.outputs.map(
    (o) =>
      `    {'name': ${pyStr(o.node.id)}, 'source': ${pyStr(o.source.id)}, 'shape': ${pyShape(o.source.outputShape.slice(1))}, ` +
      `'activation': ${pyStr(finalActivation(plan, o.source.id))}},`,
  );
  const code = helperClosure(helpers)
    .map((h) => HELPER_CODE[h].trim())
    .join('\n\n\n');
  return `"""${projectName}: the Netloom graph as a PyTorch module (generated by Netloom ${version}).

Inputs arrive as in Netloom: images channels last [batch, height, width, channels], sequences as
[batch, time, features], token ids as [batch, time]. Layers that need PyTorch's channels-first
layout convert inside, so Flatten, Reshape and Concatenate see exactly what they see in Netloom and
predictions match the app's.

    from model import build_model, load_weights
    model = load_weights(build_model(), '${WEIGHTS_FILE}').eval()
"""
import json
import math
import sys

import torch
import torch.nn.functional as F
from torch import nn

INPUTS = [
${inputsMeta.join('\n')}
]
OUTPUTS = [
${outputsMeta.join('\n')}
]


${code}
${blocks ? `\n\n${classes.code.join('\n\n\n')}\n` : ''}

class NetloomModel(nn.Module):
    """${plan.nodes.length} nodes${blocks ? ' (blocks expanded)' : ''}; submodules are named after the graph's node ids.${blocks ? BLOCKS_DOC : ''}"""

    def __init__(self):
        super().__init__()
${init.length ? init.map((l) => `        ${l}`).join('\n') : '        pass'}

    def forward(self, ${structure.inputs.join(', ')}):
${pyLines(lines)}
        return ${returns.length === 1 ? returns[0] : `(${returns.join(', ')})`}


def build_model():
    return NetloomModel()


def load_weights(model, path):
    """Loads a state dict: weights.pt (converted from Netloom) or trained.pt (saved by train.py)."""
    state = torch.load(path, map_location='cpu', weights_only=True)
    model.load_state_dict(state)
    return model
`;
}

const BLOCKS_DOC = `

    A block is a module of its class above, a repeated block an nn.Sequential of its copies.
    `;

function shapeComment(s: readonly (number | string)[]): string {
  return `[${s.join(', ')}]`;
}

/** The trained weights as the model's state dict (names and layouts of model.py). */
export function torchStateDict(
  plan: ExportPlan,
  weights: NonNullable<ProjectBundle['weights']>,
): Map<string, HostTensor> {
  const forNode = planWeights(plan, weights);
  const paths = modulePaths(modelStructure(plan).steps);
  const out = new Map<string, HostTensor>();
  for (const n of plan.nodes) {
    const convert = TORCH_LAYERS[n.kind].convert;
    if (!convert) continue;
    for (const [k, t] of convert(n, forNode(n))) out.set(`${paths.get(n.id)!}.${k}`, t);
  }
  return out;
}
