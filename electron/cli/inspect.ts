/**
 * `netloom inspect FILE [--sample N | --data CSV --row N] [--layers id,id] [--json]`: the trained
 * network run on one sample, every node's activation (shape, statistics, values) and, for attention
 * nodes, the attention weights per head.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { flatten, type InspectResult } from '../../shared/inspect/types';
import { formatShape } from '../../shared/layers/shape';
import { inspectProject } from '../services/inspect';
import { DataError } from '../services/training';
import { fileAction, fileCommand } from './action';
import { InvalidInputError, UsageError } from './errors';
import type { Io } from './io';
import { load } from './load';
import { parseIdList, parseIndex } from './parse';

export interface InspectOptions {
  file: string;
  sample?: number;
  data?: string;
  row?: number;
  layers?: string[];
  json?: boolean;
}

export function registerInspect(program: Command, io: Io): void {
  fileCommand(
    program,
    'inspect',
    "Run the trained network on one sample and show every layer's activation (and attention weights).",
  )
    .option('--sample <n>', "row of the project's dataset, 0-based (default 0)", parseIndex)
    .option('--data <csv>', 'take the sample from this CSV instead (same columns as the training data)')
    .option('--row <n>', 'with --data: the data row, 0-based, header not counted (default 0)', parseIndex)
    .option('--layers <ids>', 'only these nodes, by id, comma-separated', parseIdList)
    .option('--json', 'one JSON object: the sample, and per node id, kind, shape, stats, values')
    .action(fileAction(runInspect, io));
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** The words of each head's strongest attention, for the text view. */
function attentionLines(n: InspectResult['nodes'][number]): string[] {
  return (n.attention ?? []).map((head, h) => {
    let best = { q: 0, k: 0, w: -1 };
    head.forEach((row, q) =>
      row.forEach((w, k) => {
        if (w > best.w && (!n.tokens || n.tokens[q] !== '<pad>')) best = { q, k, w };
      }),
    );
    const name = (i: number) => (n.tokens ? `"${n.tokens[i]}"` : `#${i}`);
    return `    head ${h + 1}: strongest ${name(best.q)} → ${name(best.k)} (${best.w.toFixed(3)})`;
  });
}

function inspectText(res: InspectResult): string {
  const s = res.sample;
  const where =
    s.file !== undefined
      ? `${s.file} row ${s.row}`
      : `sample ${s.index}${s.validation ? ' (validation)' : ''}`;
  const truth = s.truthLabel ?? (s.truth !== undefined ? String(s.truth) : undefined);
  const lines = [
    `${where}${truth !== undefined ? `, class ${truth}` : ''}${s.target ? `, target ${s.target.map(num).join(', ')}` : ''} · ${res.backend}`,
  ];
  if (res.tokens) lines.push(`text: ${res.tokens.filter((t) => t !== '<pad>').join(' ')}`);
  const rows = res.nodes.map((n) => [
    n.id,
    n.kind,
    formatShape(['batch', ...n.shape]),
    num(n.stats.min),
    num(n.stats.max),
    num(n.stats.mean),
    num(n.stats.std),
    `${(n.stats.zeroFraction * 100).toFixed(1)}%`,
  ]);
  const head = ['node', 'kind', 'shape', 'min', 'max', 'mean', 'std', 'zeros'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(fmt(head));
  res.nodes.forEach((n, i) => {
    lines.push(fmt(rows[i]!));
    lines.push(...attentionLines(n));
    if (n.kind === 'Output') {
      const v = flatten(n.values);
      if (res.classes && v.length > 1) {
        const top = v
          .map((p, c) => ({ p, c }))
          .sort((a, b) => b.p - a.p)
          .slice(0, 3);
        lines.push(`    ${top.map((t) => `${res.classes![t.c] ?? t.c} ${t.p.toFixed(4)}`).join(' · ')}`);
      } else if (res.classes && v.length === 1)
        lines.push(`    P(${res.classes[1] ?? 1}) = ${v[0]!.toFixed(4)}`);
      else lines.push(`    ${v.slice(0, 8).map(num).join(', ')}${v.length > 8 ? ', …' : ''}`);
    }
  });
  return lines.join('\n');
}

export async function runInspect(opts: InspectOptions, io: Io): Promise<void> {
  const { file } = opts;
  if (opts.data !== undefined && opts.sample !== undefined)
    throw new UsageError('give either --sample N or --data CSV --row N, not both.');
  if (opts.row !== undefined && opts.data === undefined)
    throw new UsageError("--row needs --data CSV (use --sample N for a row of the project's dataset).");
  if (opts.data !== undefined && !existsSync(opts.data)) throw new UsageError(`${opts.data}: no such file.`);
  const bundle = await load(file);
  let res: InspectResult;
  try {
    res = await inspectProject(
      bundle,
      { sample: opts.sample, file: opts.data, row: opts.row, layers: opts.layers },
      { projectFile: path.resolve(file), embedded: bundle.data },
    );
  } catch (err) {
    if (err instanceof DataError) throw new InvalidInputError(`${file}: ${err.message}`);
    throw err;
  }
  io.out((opts.json ? JSON.stringify(res) : inspectText(res)) + '\n');
}
