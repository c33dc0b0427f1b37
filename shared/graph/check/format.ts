/** How the checker words things: one issue as a terminal line, a node's weights and their arithmetic. */
import type { WeightShapes } from '../../layers/define';
import { formatCount, product } from '../../layers/shape';
import type { GraphIssue, ParamCount, WeightInfo } from './types';

export const describeNode = (n: { id: string; kind: string }) => `${n.id} (${n.kind})`;

/** One line for a terminal: `dense_1 (Dense), port in: Dense needs ...` */
export function formatIssue(i: GraphIssue): string {
  const where = [
    i.nodeId ? `${i.nodeId}${i.kind ? ` (${i.kind})` : ''}` : i.edgeId ? `edge ${i.edgeId}` : undefined,
    i.port ? `port ${i.port}` : undefined,
    i.param ? `param ${i.param}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const fix = i.fix ? ` Fix: ${i.fix.label}.` : '';
  return `${i.severity}: ${where ? `${where}: ` : ''}${i.message}${fix}`;
}

export function paramCount(weights: WeightShapes): ParamCount {
  const list: WeightInfo[] = [];
  let total = 0;
  let trainable = 0;
  for (const name in weights) {
    const w = weights[name]!;
    const isArray = Array.isArray(w);
    const shape = isArray ? (w as readonly number[]) : (w as { shape: readonly number[] }).shape;
    const train = isArray || (w as { trainable?: boolean }).trainable !== false;
    const count = product(shape);
    total += count;
    if (train) trainable += count;
    list.push({ name, shape, count, trainable: train });
  }
  let arithmetic: string | undefined;
  return {
    total,
    trainable,
    nonTrainable: total - trainable,
    weights: list,
    // Built on first read: the editor shows it for one node at a time, the checker runs on every edit.
    get arithmetic() {
      return (arithmetic ??= formatArithmetic(list, total));
    },
  };
}

function formatArithmetic(list: readonly WeightInfo[], total: number): string {
  if (list.length === 0) return '0';
  if (list.length === 1 && list[0]!.shape.length <= 1) return formatCount(total);
  const terms = list.map((w) => w.shape.map(formatCount).join(' × ') || '1');
  return `${terms.join(' + ')} = ${formatCount(total)}`;
}
