/** Parsers for option values: commander reports their InvalidArgumentError as bad usage (exit 2). */
import { InvalidArgumentError } from 'commander';

export function parseShape(value: string): number[] {
  const parts = value.split(/[,x×]/).map((s) => s.trim());
  if (parts.length === 0 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1))
    throw new InvalidArgumentError('expected positive sizes separated by commas, e.g. 784 or 28,28,1.');
  return parts.map(Number);
}

export function parsePositiveFloat(value: string): number {
  const v = Number(value);
  if (!/^[0-9.eE+-]+$/.test(value) || !Number.isFinite(v) || v <= 0)
    throw new InvalidArgumentError('expected a positive number, e.g. 0.001 or 1e-3.');
  return v;
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a positive whole number.');
  return Number(value);
}

export function parseImageSize(value: string): [number, number] {
  const m = /^(\d+)\s*[x×,]\s*(\d+)$/.exec(value.trim());
  const w = Number(m?.[1]);
  const h = Number(m?.[2]);
  if (!m || w < 1 || h < 1 || w > 1024 || h > 1024)
    throw new InvalidArgumentError('expected WIDTHxHEIGHT, e.g. 28x28 (at most 1024).');
  return [w, h];
}

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('expected a port number 0-65535.');
  return Number(value);
}

export function parseIndex(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a row number (0 or more).');
  return Number(value);
}

export function parseIdList(value: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (ids.length === 0)
    throw new InvalidArgumentError('expected node ids separated by commas, e.g. dense_1,out.');
  return ids;
}
