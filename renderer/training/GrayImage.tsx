/** A small grayscale image (values 0..1, row-major) drawn pixel-exact and scaled up crisply. */
import { useEffect, useRef } from 'react';
import { grayToRgba } from './lib/drawing';
import './training.css';

export interface GrayImageProps {
  values: readonly number[];
  width: number;
  height: number;
  /** CSS pixels per image pixel (default: 28 px wide overall, at least 1). */
  scale?: number;
  /** Ink dark on light (default) or light on dark. */
  inkDark?: boolean;
  title?: string;
  className?: string;
}

export function GrayImage({
  values,
  width,
  height,
  scale,
  inkDark = true,
  title,
  className,
}: GrayImageProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || width <= 0 || height <= 0) return;
    const img = ctx.createImageData(width, height);
    const px = grayToRgba(values.slice(0, width * height), inkDark);
    img.data.set(px.subarray(0, img.data.length));
    ctx.putImageData(img, 0, 0);
  }, [values, width, height, inkDark]);
  const s = scale ?? Math.max(1, Math.round(28 / Math.max(width, 1)));
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      className={`gray-image${className ? ` ${className}` : ''}`}
      style={{ width: width * s, height: height * s }}
      title={title}
      role="img"
      aria-label={title ?? 'image'}
    />
  );
}
