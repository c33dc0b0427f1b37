/**
 * An LSTM's or GRU's activation for the probed sample: its hidden state over time as a [time ×
 * units] heatmap (every step, also when the layer passes on only the last), and in the large view
 * each gate over time (input, forget, output / update, reset; white = closed, blue = open). Props in,
 * nothing else.
 */
import { useMemo } from 'react';
import { flatten, type NodeActivation } from '../../shared/inspect/types';
import { drawHeatmap } from './draw';
import { Plot } from './Plot';

const GATE_HELP: Record<string, string> = {
  input: 'how much of the new candidate enters the cell',
  forget: 'how much of the cell is kept from the step before',
  output: 'how much of the cell is shown as the hidden state',
  update: 'how much of the previous state is kept',
  reset: 'how much of the previous state the candidate sees',
};

function TimeMap({
  rows,
  width,
  height,
  testId,
  title,
  scale,
}: {
  rows: number[][];
  width: number;
  height: number;
  testId?: string;
  title: string;
  scale?: number;
}) {
  const values = useMemo(() => rows.flat(), [rows]);
  const steps = rows.length;
  const units = rows[0]?.length ?? 0;
  return (
    <Plot
      width={width}
      height={height}
      deps={[values]}
      testId={testId}
      title={title}
      draw={(ctx) => drawHeatmap(ctx, values, steps, units, { x: 0, y: 0, w: width, h: height }, scale)}
    />
  );
}

export function RecurrentView({ node, size }: { node: NodeActivation; size: 'node' | 'large' }) {
  const states = useMemo(() => {
    if (node.states) return node.states;
    const [steps, units] = node.shape as [number, number];
    const flat = flatten(node.values);
    return Array.from({ length: steps }, (_, t) => flat.slice(t * units, (t + 1) * units));
  }, [node.states, node.values, node.shape]);
  const steps = states.length;
  const units = states[0]?.length ?? 0;
  const w = size === 'node' ? 196 : 300;
  const h = size === 'node' ? 40 : Math.min(200, Math.max(60, steps * 3));
  return (
    <>
      <TimeMap
        rows={states}
        width={w}
        height={h}
        testId={size === 'node' ? `hidden-states-${node.id}` : `hidden-states-large-${node.id}`}
        title={`hidden state: ${steps} steps × ${units} units${node.gates ? `; gates: ${node.gates.map((g) => g.name).join(', ')}` : ''}`}
      />
      {size === 'large' && (
        <p className="muted probe-caption">
          Hidden state over time: rows are the {steps} steps (top to bottom), columns the {units} units
          {node.states ? '; the layer passes on only the last row' : ''}.
        </p>
      )}
      {size === 'large' && node.gates && (
        <div className="gates" data-testid={`gates-${node.id}`}>
          {node.gates.map((g) => (
            <figure key={g.name}>
              <figcaption>
                <strong>{g.name} gate</strong> <span className="muted">— {GATE_HELP[g.name] ?? ''}</span>
              </figcaption>
              <TimeMap
                rows={g.values}
                width={w}
                height={Math.min(120, Math.max(40, steps * 2))}
                testId={`gate-${node.id}-${g.name}`}
                title={`${g.name} gate: white = closed (0), blue = open (1)`}
                scale={1}
              />
            </figure>
          ))}
          <p className="muted probe-caption">Gates: white = closed (0), blue = open (1).</p>
        </div>
      )}
    </>
  );
}
