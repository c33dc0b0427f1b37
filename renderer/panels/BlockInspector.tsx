/**
 * The inspector of a Block node (its definition's name, shared by every use; how many times it
 * repeats; open, ungroup, unlink) and of a block's ports while the block is open.
 */
import { useState } from 'react';
import type { NodeReport } from '../../shared/graph/check/types';
import { MAX_REPEAT } from '../../shared/graph/blocks';
import { BLOCK_INPUT, BLOCK_KIND } from '../../shared/ir/schema';
import { formatCount, formatShape } from '../../shared/layers/shape';
import { type LayerNodeT, wholeGraph } from '../store/graph';
import { useAppStore } from '../store/store';

function Facts({ r }: { r: NodeReport | undefined }) {
  return (
    <div className="facts">
      <div>
        <span className="muted">Output</span>{' '}
        <span className="mono" data-testid="inspector-output">
          {r?.outputShape ? formatShape(r.outputShape) : '—'}
        </span>
      </div>
      {r?.params && (
        <div>
          <span className="muted">Parameters</span>{' '}
          <span className="mono" data-testid="inspector-arithmetic">
            {formatCount(r.params.total)}
          </span>
        </div>
      )}
    </div>
  );
}

function RepeatField({ node }: { node: LayerNodeT }) {
  const setParams = useAppStore((s) => s.setParams);
  const repeat = Number(node.data.params.repeat ?? 1);
  const [text, setText] = useState(String(repeat));
  const [error, setError] = useState<string | null>(null);
  const commit = () => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > MAX_REPEAT)
      return setError(`A whole number from 1 to ${MAX_REPEAT}.`);
    setError(null);
    if (n !== repeat) setParams(node.id, { ...node.data.params, repeat: n });
  };
  return (
    <label className="field">
      <span className="field-label">Repeat ×</span>
      <input
        data-testid="block-repeat"
        inputMode="numeric"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
        aria-invalid={error !== null}
      />
      <span className="field-help">
        {error ??
          'Copies chained one after another, each with its own weights (its output must fit its input).'}
      </span>
    </label>
  );
}

/** How many Block nodes (in the graph and in other blocks) use definition `block`. */
function countUses(s: Parameters<typeof wholeGraph>[0], block: unknown): number {
  const graph = wholeGraph(s);
  return [graph.nodes, ...(graph.blocks ?? []).map((b) => b.nodes)]
    .flat()
    .filter((n) => n.kind === BLOCK_KIND && n.params.block === block).length;
}

export function BlockInspector({ node, report }: { node: LayerNodeT; report: NodeReport | undefined }) {
  const def = useAppStore((st) => st.blocks.find((b) => b.id === node.data.params.block));
  const locked = useAppStore((st) => st.locked);
  const uses = useAppStore((st) => countUses(st, node.data.params.block));
  const s = useAppStore.getState();
  if (node.data.kind !== BLOCK_KIND) {
    const input = node.data.kind === BLOCK_INPUT;
    return (
      <section className="panel inspector" aria-label="Inspector" data-testid="inspector">
        <header>
          <h2>{input ? `Block input ${String(node.data.params.index ?? 1)}` : 'Block output'}</h2>
          <p className="doc">
            {input
              ? 'Where the tensor arriving at this port of the block enters its layers.'
              : "What the block gives on: connect the block's last layer here."}
          </p>
        </header>
        <Facts r={report} />
      </section>
    );
  }
  return (
    <section className="panel inspector" aria-label="Inspector" data-testid="inspector">
      <header>
        <h2>Block: {def?.name ?? '(missing definition)'}</h2>
        <p className="doc">
          A group of layers used as one.{' '}
          {uses > 1
            ? `Linked: ${uses} uses share this definition, and an edit inside changes all of them.`
            : 'Used once.'}{' '}
          Double-click it to open it.
        </p>
      </header>
      <fieldset disabled={locked}>
        {def && (
          <label className="field">
            <span className="field-label">Block name</span>
            <input
              data-testid="block-name"
              defaultValue={def.name}
              key={def.id + def.name}
              onBlur={(e) => s.renameBlock(def.id, e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && s.renameBlock(def.id, e.currentTarget.value)}
            />
            <span className="field-help">Names the block&apos;s class in exported code.</span>
          </label>
        )}
        <RepeatField key={`${node.id}-${String(node.data.params.repeat ?? 1)}`} node={node} />
        <div className="button-row">
          <button data-testid="block-open" onClick={() => s.openBlock(node.id)}>
            Open
          </button>
          <button data-testid="block-ungroup" onClick={() => s.ungroup(node.id)}>
            Ungroup
          </button>
          {def && (
            <button data-testid="block-save-library" onClick={() => void s.saveToLibrary(def.id)}>
              Save to my library
            </button>
          )}
          {uses > 1 && (
            <button data-testid="block-unlink" onClick={() => s.unlinkBlock(node.id)}>
              Unlink
            </button>
          )}
        </div>
      </fieldset>
      <Facts r={report} />
    </section>
  );
}
