/**
 * A look at the data before training: a table (CSV, with each column's type and role), a scatter
 * plot coloured by class (2-D data), thumbnails per class (images) or decoded examples (text).
 */
import type { DataSummary } from '../../shared/ipc/contract';
import { classColor } from './lib/colors';
import { GrayImage } from './GrayImage';
import { ScatterCanvas } from './ScatterCanvas';
import './training.css';

export type DataPreviewData = DataSummary['preview'];

export interface DataPreviewProps {
  preview: DataPreviewData;
}

function roleClass(role: string): string {
  return `role-${role.toLowerCase().replace(/[^a-z]/g, '')}`;
}

function TablePreview({ preview }: { preview: Extract<DataPreviewData, { kind: 'table' }> }) {
  const roleOf = new Map(preview.columns?.map((c) => [c.name, c]) ?? []);
  return (
    <>
      {preview.columns && preview.columns.length > 0 && (
        <ul className="column-chips">
          {preview.columns.map((c, i) => (
            <li key={`${c.name}-${i}`} className={`column-chip ${roleClass(c.role)}`} title={c.note ?? ''}>
              <span className="chip-name">{c.name}</span>
              <span className="chip-type mono">{c.type}</span>
              <span className="chip-role">{c.role}</span>
              {c.note && <span className="chip-note">{c.note}</span>}
            </li>
          ))}
        </ul>
      )}
      <div className="preview-table-wrap">
        <table className="preview-table">
          <thead>
            <tr>
              {preview.header.map((h, i) => {
                const col = roleOf.get(h);
                return (
                  <th key={`${h}-${i}`} scope="col" className={col ? roleClass(col.role) : ''}>
                    {h}
                    {col && <span className="th-type mono">{col.type}</span>}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r, i) => (
              <tr key={i}>
                {r.map((v, j) => {
                  const col = roleOf.get(preview.header[j] ?? '');
                  return (
                    <td key={j} className={`mono${col ? ` ${roleClass(col.role)}` : ''}`}>
                      {v}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="muted preview-foot">First {preview.rows.length} rows.</div>
    </>
  );
}

export function DataPreview({ preview }: DataPreviewProps) {
  return (
    <section
      className={`data-preview preview-${preview.kind}`}
      data-testid="data-preview"
      data-kind={preview.kind}
    >
      {preview.kind === 'table' && <TablePreview preview={preview} />}
      {preview.kind === 'scatter' && (
        <div className="preview-scatter">
          <ScatterCanvas points={preview.points} />
          <div className="preview-legend">
            {preview.classes.map((c, i) => (
              <span key={`${c}-${i}`} className="legend-item">
                <span className="class-dot" style={{ background: classColor(i) }} />
                {c}
                <span className="muted mono count-tag">
                  {preview.points.filter((p) => p[2] === i).length}
                </span>
              </span>
            ))}
          </div>
        </div>
      )}
      {preview.kind === 'images' && (
        <div className="preview-images">
          {preview.perClass.map((pc, i) => (
            <div key={`${pc.class}-${i}`} className="preview-class">
              <span className="preview-class-name" title={pc.class}>
                <span className="class-dot" style={{ background: classColor(i) }} />
                {pc.class}
              </span>
              <span className="preview-thumbs">
                {pc.images.map((img, j) => (
                  <GrayImage
                    key={j}
                    values={img}
                    width={preview.width}
                    height={preview.height}
                    scale={Math.max(1, Math.round(32 / Math.max(preview.width, 1)))}
                    title={`${pc.class} #${j + 1}`}
                  />
                ))}
              </span>
            </div>
          ))}
        </div>
      )}
      {preview.kind === 'sequence' && (
        <ul className="preview-sequences">
          {preview.examples.map((e, i) => (
            <li key={i}>
              <span className="seq-label">{e.label}</span>
              <span className="seq-text">{e.text}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
