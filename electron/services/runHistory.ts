/**
 * Reading a run's saved history (`runs/<id>.jsonl`) for the renderer: the curves and the layer
 * statistics of a reopened project.
 */
import { layerStatsSchema } from '../../shared/inspect/layerStats';
import type { TrainingEvent } from '../../shared/training/protocol';

/**
 * One line of a run's history as the renderer may take it: a line that is not JSON or not an event
 * is left out, and layer statistics that do not parse are dropped (a hand-edited file never reaches
 * the charts as wrong types).
 */
export function historyLine(line: string): TrainingEvent[] {
  if (!line.trim()) return [];
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch {
    return [];
  }
  if (typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string') return [];
  const event = e as TrainingEvent;
  if (event.type === 'epochEnd' && event.layers !== undefined) {
    const ok =
      Array.isArray(event.layers) && event.layers.every((l) => layerStatsSchema.safeParse(l).success);
    if (!ok) delete event.layers;
  }
  return [event];
}
