/**
 * Diagram export: the graph as a standalone SVG (for papers and slides) and, through `sharp`, a PNG.
 * Each node is a box with its label, kind, key parameters, output shape and parameter count; each
 * edge is labelled with the shape it carries. Boxes sit where the user placed them on the canvas;
 * when those positions would make boxes overlap, the graph is laid out top-down with dagre instead.
 */
import dagre from '@dagrejs/dagre';
import type { ProjectBundle } from '../../shared/ir/project';
import { type Category, formatCount, formatShape, layerSpec, type Shape } from '../../shared/layers/index';
import { ExportError, type ExportPlan, planGraph, type PlanNode } from './plan';
import type { ExportOptions } from './types';

const W = 230;
const LINE = 16;
const PAD = 10;
const MARGIN = 30;

/** A box's fill by its layer's category (every category: a new one does not compile without a colour). */
const CATEGORY_COLOURS: { readonly [C in Category]: string } = {
  io: '#e8f1fb',
  core: '#eef6ec',
  activation: '#fdf3e4',
  convolution: '#f3ecfa',
  pooling: '#f6eef6',
  normalization: '#ecf6f6',
  regularization: '#f5f5f5',
  reshape: '#f5f5f5',
  recurrent: '#fbeeee',
  attention: '#fff6da',
  merge: '#eef0fb',
};

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

function formatParam(v: unknown): string {
  if (Array.isArray(v)) return v.map((d) => (d === null ? '?' : String(d))).join('×');
  return String(v);
}

interface Box {
  node: PlanNode;
  lines: { text: string; cls: string }[];
  x: number;
  y: number;
  h: number;
}

function boxLines(n: PlanNode): Box['lines'] {
  const spec = layerSpec(n.kind);
  const lines: Box['lines'] = [{ text: n.label, cls: 'label' }];
  lines.push({ text: n.label === n.id ? spec.label : `${spec.label} · ${n.id}`, cls: 'kind' });
  const keys = spec.keyParams.map((k) => `${k} ${formatParam(n.config[k])}`).join(', ');
  if (keys) lines.push({ text: keys.length > 38 ? `${keys.slice(0, 37)}…` : keys, cls: 'param' });
  if (n.kind !== 'Output') lines.push({ text: `out ${formatShape(n.outputShape)}`, cls: 'shape' });
  if (n.params > 0) lines.push({ text: `${formatCount(n.params)} params`, cls: 'param' });
  return lines;
}

function overlaps(boxes: Box[]): boolean {
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + W + 10 && b.x < a.x + W + 10 && a.y < b.y + b.h + 10 && b.y < a.y + a.h + 10)
        return true;
    }
  return false;
}

function layout(plan: ExportPlan, positions: Map<string, { x: number; y: number }>): Box[] {
  const boxes: Box[] = plan.nodes.map((node) => {
    const lines = boxLines(node);
    const p = positions.get(node.id) ?? { x: 0, y: 0 };
    return { node, lines, x: p.x, y: p.y, h: lines.length * LINE + 2 * PAD };
  });
  if (!overlaps(boxes)) return boxes;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 50 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of boxes) g.setNode(b.node.id, { width: W, height: b.h });
  for (const n of plan.nodes) for (const s of new Set(n.sources)) g.setEdge(s, n.id);
  dagre.layout(g);
  for (const b of boxes) {
    const p = g.node(b.node.id);
    b.x = p.x - W / 2;
    b.y = p.y - b.h / 2;
  }
  return boxes;
}

/** The diagram as a standalone SVG document. */
export function renderSvg(bundle: ProjectBundle): string {
  const plan = planGraph(bundle.project.graph);
  const positions = new Map(bundle.project.graph.nodes.map((n) => [n.id, n.position]));
  const boxes = layout(plan, positions);
  const minX = Math.min(...boxes.map((b) => b.x));
  const minY = Math.min(...boxes.map((b) => b.y));
  for (const b of boxes) {
    b.x += MARGIN - minX;
    b.y += MARGIN - minY + 30;
  }
  const width = Math.max(...boxes.map((b) => b.x + W)) + MARGIN;
  const height = Math.max(...boxes.map((b) => b.y + b.h)) + MARGIN;
  const byId = new Map(boxes.map((b) => [b.node.id, b]));
  const edges: string[] = [];
  for (const b of boxes) {
    const n = b.node;
    n.sources.forEach((s, i) => {
      if (n.sources.indexOf(s) !== i) return; // a fallback port reuses an edge already drawn
      const a = byId.get(s)!;
      const x1 = a.x + W / 2;
      const y1 = a.y + a.h;
      const x2 = b.x + W / 2 + (n.sources.length > 1 ? (i - (n.sources.length - 1) / 2) * 30 : 0);
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      const shape: Shape = a.node.outputShape;
      edges.push(
        `<path class="edge" d="M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 2}" marker-end="url(#arrow)"/>` +
          `<text class="edge-label" x="${(x1 + x2) / 2 + 6}" y="${my + 4}">${escapeXml(formatShape(shape))}</text>`,
      );
    });
  }
  const nodes = boxes.map((b) => {
    const fill = CATEGORY_COLOURS[layerSpec(b.node.kind).category];
    const text = b.lines
      .map(
        (l, i) =>
          `<text class="${l.cls}" x="${b.x + PAD}" y="${b.y + PAD + (i + 1) * LINE - 4}">${escapeXml(l.text)}</text>`,
      )
      .join('');
    return `<g class="node" data-id="${escapeXml(b.node.id)}" data-kind="${b.node.kind}"><rect x="${b.x}" y="${b.y}" width="${W}" height="${b.h}" rx="8" fill="${fill}"/>${text}</g>`;
  });
  const totals = plan.report.totals;
  const title = `${bundle.project.name} — ${plan.nodes.length} nodes, ${formatCount(totals.params)} parameters`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" font-family="Helvetica, Arial, sans-serif">
<title>${escapeXml(title)}</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#667"/></marker>
<style>.node rect{stroke:#556;stroke-width:1.2}.label{font-size:13px;font-weight:bold;fill:#111}.kind{font-size:11px;fill:#555}.param{font-size:11px;fill:#333}.shape{font-size:11px;fill:#14527a;font-family:Menlo,Consolas,monospace}.edge{fill:none;stroke:#667;stroke-width:1.3}.edge-label{font-size:10px;fill:#14527a;font-family:Menlo,Consolas,monospace}.title{font-size:14px;font-weight:bold;fill:#222}</style></defs>
<rect width="100%" height="100%" fill="#ffffff"/>
<text class="title" x="${MARGIN}" y="${MARGIN}">${escapeXml(title)}</text>
${edges.join('\n')}
${nodes.join('\n')}
</svg>
`;
}

export async function exportDiagram(
  bundle: ProjectBundle,
  format: 'svg' | 'png',
  options: ExportOptions,
): Promise<Map<string, Uint8Array | string>> {
  const svg = renderSvg(bundle);
  if (format === 'svg') return new Map([['diagram.svg', svg]]);
  let sharp: (typeof import('sharp'))['default'];
  try {
    sharp = (await import('sharp')).default;
  } catch (e) {
    throw new ExportError(
      `PNG export needs the sharp package, which could not load: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const scale = options.scale ?? 2;
  const png = await sharp(Buffer.from(svg), { density: 72 * scale })
    .png()
    .toBuffer();
  return new Map<string, Uint8Array | string>([['diagram.png', new Uint8Array(png)]]);
}
