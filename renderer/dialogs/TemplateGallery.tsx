/** New project: the empty canvas or one of the templates, each with a picture of its layers. */
import { useMemo } from 'react';
import { checkGraph } from '../../shared/graph/check';
import { isLayerKind, layerSpec } from '../../shared/layers/index';
import { formatCount } from '../../shared/layers/shape';
import { buildTemplate, TEMPLATE_IDS, TEMPLATES, type TemplateId } from '../../shared/templates/index';
import { useAppStore } from '../store/store';
import { Modal } from './Modal';

/** A small picture of a template: its layers as a column of boxes, coloured by category. */
export function TemplatePicture({ id }: { id: TemplateId }) {
  const graph = useMemo(() => buildTemplate(id).graph, [id]);
  const h = graph.nodes.length * 18 + 6;
  return (
    <svg
      className="template-picture"
      viewBox={`0 0 120 ${h}`}
      width="120"
      height={Math.min(h, 170)}
      aria-hidden="true"
    >
      {graph.nodes.map((n, i) => {
        // A Block node shows as its block's name and how many times it repeats.
        const block = graph.blocks?.find((b) => b.id === n.params.block);
        const spec = isLayerKind(n.kind)
          ? layerSpec(n.kind)
          : { category: 'block', label: `${block?.name ?? 'Block'} ×${String(n.params.repeat ?? 1)}` };
        return (
          <g key={n.id}>
            {i > 0 && <line x1="60" x2="60" y1={i * 18 - 4} y2={i * 18 + 4} className="tp-edge" />}
            <rect
              x="10"
              y={i * 18 + 4}
              width="100"
              height="12"
              rx="3"
              className={`tp-node cat-${spec.category}`}
            />
            <text x="60" y={i * 18 + 13} textAnchor="middle" className="tp-text">
              {spec.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function TemplateGallery({
  onPick,
  onClose,
}: {
  onPick: (id: TemplateId | null, dataset?: string) => void;
  onClose: () => void;
}) {
  const datasets = useAppStore((s) => s.datasets);
  const names = useMemo(() => new Map(datasets.map((d) => [d.id, d.name])), [datasets]);
  return (
    <Modal title="New project" onClose={onClose} testId="template-gallery">
      <div className="gallery">
        <button className="gallery-card" data-testid="template-empty" onClick={() => onPick(null)}>
          <div className="template-picture empty">+</div>
          <strong>Empty canvas</strong>
          <span className="muted">Start from nothing: drag an Input from the palette.</span>
        </button>
        {TEMPLATE_IDS.map((id) => {
          const t = TEMPLATES[id];
          const params = checkGraph(buildTemplate(id).graph).totals.params;
          return (
            <div key={id} className="gallery-card">
              <button className="gallery-main" data-testid={`template-${id}`} onClick={() => onPick(id)}>
                <TemplatePicture id={id} />
                <strong>{t.label}</strong>
                <span>{t.description}</span>
                <span className="muted">{t.teaches}</span>
                <span className="mono muted">{formatCount(params)} parameters</span>
              </button>
              {t.datasets.length > 0 && (
                <div className="gallery-datasets">
                  <span className="muted small">Ready to train on:</span>
                  {t.datasets.map((d) => (
                    <button
                      key={d}
                      className="chip"
                      data-testid={`template-${id}-${d}`}
                      onClick={() => onPick(id, d)}
                      title={`A ${t.label} for ${names.get(d) ?? d}: shapes, layers and training settings fitted to it`}
                    >
                      {names.get(d) ?? d}
                    </button>
                  ))}
                </div>
              )}
            </div>
          );
        })}
      </div>
    </Modal>
  );
}
