/**
 * Examples the network got wrong on the validation rows: images shown as images, table rows as
 * rows, each with the true class, the predicted one and how sure the network was.
 */
import type { Misclassified } from '../../shared/training/evaluation';
import { classColor } from './lib/colors';
import { formatMetric } from './lib/format';
import { GrayImage } from './GrayImage';
import { grayOf } from './lib/drawing';
import './training.css';

export interface MisclassifiedListProps {
  items: readonly Misclassified[];
  classes: readonly string[];
  /** Tabular data: the feature names (columns of the rows). */
  featureNames?: readonly string[];
  /** Image data: the sample shape [height, width] or [height, width, channels]. */
  imageShape?: readonly number[];
  /** At most this many are shown (default 48). */
  limit?: number;
  /** Clicking an example (its dataset row): probe it. */
  onSelect?: (index: number) => void;
}

function Cls({ i, classes }: { i: number; classes: readonly string[] }) {
  return (
    <span className="mis-class">
      <span className="class-dot" style={{ background: classColor(i) }} />
      {classes[i] ?? String(i)}
    </span>
  );
}

type Pick = (index: number) => Record<string, unknown>;

/** Text examples: their words, with what they are and what the network said. */
function TextItems({
  shown,
  classes,
  pick,
}: {
  shown: readonly Misclassified[];
  classes: readonly string[];
  pick: Pick;
}) {
  const conf = (m: Misclassified) => m.probabilities[m.predicted];
  return (
    <ul className="mis-texts">
      {shown.map((m) => (
        <li key={m.index} className="mis-text pickable" title={`row ${m.index}`} {...pick(m.index)}>
          <span className="mis-labels">
            is <Cls i={m.truth} classes={classes} /> · said <Cls i={m.predicted} classes={classes} />
            {conf(m) !== undefined && (
              <span className="mono muted"> {((conf(m) ?? 0) * 100).toFixed(0)}%</span>
            )}
          </span>
          <span className="mis-words">{m.text}</span>
        </li>
      ))}
    </ul>
  );
}

export function MisclassifiedList({
  items,
  classes,
  featureNames,
  imageShape,
  limit = 48,
  onSelect,
}: MisclassifiedListProps) {
  const pick: Pick = (index: number) =>
    onSelect
      ? {
          onClick: () => onSelect(index),
          role: 'button',
          tabIndex: 0,
          onKeyDown: (e: { key: string }) => {
            if (e.key === 'Enter' || e.key === ' ') onSelect(index);
          },
          'data-testid': `misclassified-${index}`,
        }
      : {};
  const shown = items.slice(0, limit);
  const conf = (m: Misclassified) => m.probabilities[m.predicted];
  const image = imageShape && imageShape.length >= 2 ? imageShape : null;
  if (items.length === 0)
    return (
      <section className="misclassified" data-testid="misclassified-list" data-count={0}>
        <p className="muted">No misclassified examples in the validation rows.</p>
      </section>
    );
  const text = shown.some((m) => m.text !== undefined);
  return (
    <section className="misclassified" data-testid="misclassified-list" data-count={items.length}>
      <p className="muted mis-caption">
        {items.length > shown.length ? `${shown.length} of ${items.length}` : items.length} misclassified
        validation example{items.length === 1 ? '' : 's'}.
      </p>
      {text ? (
        <TextItems shown={shown} classes={classes} pick={pick} />
      ) : image ? (
        <ul className="mis-grid">
          {shown.map((m) => {
            const [h, w, c = 1] = image as [number, number, number?];
            return (
              <li
                key={m.index}
                className={`mis-card${onSelect ? ' pickable' : ''}`}
                title={`row ${m.index}${onSelect ? ': click to see inside the network' : ''}`}
                {...pick(m.index)}
              >
                {m.input ? (
                  <GrayImage
                    values={grayOf(m.input, h, w, c)}
                    width={w}
                    height={h}
                    scale={Math.max(1, Math.round(56 / w))}
                  />
                ) : (
                  <span className="muted">row {m.index}</span>
                )}
                <span className="mis-truth">
                  is <Cls i={m.truth} classes={classes} />
                </span>
                <span className="mis-pred">
                  said <Cls i={m.predicted} classes={classes} />
                  {conf(m) !== undefined && (
                    <span className="mono muted"> {((conf(m) ?? 0) * 100).toFixed(0)}%</span>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      ) : (
        <div className="preview-table-wrap">
          <table className="preview-table mis-table">
            <thead>
              <tr>
                <th scope="col">row</th>
                {(featureNames ?? shown[0]?.input?.map((_, i) => `x${i + 1}`) ?? []).map((f, i) => (
                  <th key={`${f}-${i}`} scope="col">
                    {f}
                  </th>
                ))}
                <th scope="col">truth</th>
                <th scope="col">predicted</th>
                <th scope="col" className="num">
                  confidence
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((m) => (
                <tr key={m.index} className={onSelect ? 'pickable' : ''} {...pick(m.index)}>
                  <td className="mono muted">{m.index}</td>
                  {(m.input ?? []).slice(0, featureNames?.length ?? 50).map((v, i) => (
                    <td key={i} className="mono">
                      {Number.isInteger(v) ? v : v.toFixed(3)}
                    </td>
                  ))}
                  <td>
                    <Cls i={m.truth} classes={classes} />
                  </td>
                  <td>
                    <Cls i={m.predicted} classes={classes} />
                  </td>
                  <td className="num mono">{formatMetric(conf(m))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
