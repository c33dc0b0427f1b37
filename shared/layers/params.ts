/**
 * Validation of a node's parameters against its layer spec. The messages name the parameter and say
 * what is allowed, so the inspector can show them beside the field and the CLI can print them.
 */
import type { AnyLayerSpec, AnyParam, ConfigOf, ParamSpecs } from './define';
import { paramLabel } from './define';

export interface ParamIssue {
  param: string;
  message: string;
}

export type ParamResult =
  | { ok: true; config: ConfigOf<ParamSpecs>; issues: readonly [] }
  | { ok: false; config: undefined; issues: readonly ParamIssue[] };

function describeRange(spec: { min?: number; max?: number }): string {
  if (spec.min !== undefined && spec.max !== undefined) return `between ${spec.min} and ${spec.max}`;
  if (spec.min !== undefined) return `at least ${spec.min}`;
  if (spec.max !== undefined) return `at most ${spec.max}`;
  return 'a number';
}

function isSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** Checks one value; returns an error message or undefined. */
export function checkParamValue(name: string, spec: AnyParam, v: unknown): string | undefined {
  // The label is only needed for a message; valid values (the common case) never build it.
  let cached: string | undefined;
  const L = () => (cached ??= paramLabel(name, spec));
  switch (spec.type) {
    case 'int': {
      if (!isSafeInt(v)) return `${L()} must be a whole number, ${describeRange(spec)}.`;
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max))
        return `${L()} must be ${describeRange(spec)}; got ${v}.`;
      return undefined;
    }
    case 'float': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${L()} must be a finite number.`;
      if (spec.min !== undefined && (v < spec.min || (spec.exclusiveMin && v === spec.min)))
        return `${L()} must be ${spec.exclusiveMin ? 'greater than' : 'at least'} ${spec.min}; got ${v}.`;
      if (spec.max !== undefined && (v > spec.max || (spec.exclusiveMax && v === spec.max)))
        return `${L()} must be ${spec.exclusiveMax ? 'less than' : 'at most'} ${spec.max}; got ${v}.`;
      return undefined;
    }
    case 'bool':
      return typeof v === 'boolean' ? undefined : `${L()} must be true or false.`;
    case 'enum':
      return typeof v === 'string' && spec.options.includes(v)
        ? undefined
        : `${L()} must be one of ${spec.options.join(', ')}; got ${JSON.stringify(v)}.`;
    case 'ints': {
      const min = spec.min ?? 1;
      if (!Array.isArray(v) || v.length !== spec.length || !v.every((d) => isSafeInt(d) && d >= min))
        return `${L()} must be ${spec.length} whole number${spec.length > 1 ? 's' : ''} of at least ${min}.`;
      return undefined;
    }
    case 'shape': {
      if (!Array.isArray(v)) return `${L()} must be a list of sizes.`;
      if (v.length < spec.minRank || v.length > spec.maxRank)
        return `${L()} must have ${spec.minRank === spec.maxRank ? spec.minRank : `${spec.minRank} to ${spec.maxRank}`} size${spec.maxRank > 1 ? 's' : ''}; got ${v.length}.`;
      for (const d of v) {
        if (d === null) {
          if (!spec.allowVariable) return `${L()} cannot have a variable (empty) size.`;
          continue;
        }
        if (d === -1 && spec.allowInfer) continue;
        if (!isSafeInt(d) || d < 1 || d > 1e9)
          return `${L()} sizes must be positive whole numbers${spec.allowInfer ? ' (or -1 once)' : ''}; got ${JSON.stringify(d)}.`;
      }
      return undefined;
    }
  }
}

const ENTRIES = new WeakMap<AnyLayerSpec, readonly (readonly [string, AnyParam])[]>();
function paramEntries(spec: AnyLayerSpec): readonly (readonly [string, AnyParam])[] {
  let e = ENTRIES.get(spec);
  if (!e) ENTRIES.set(spec, (e = Object.entries(spec.params)));
  return e;
}

/**
 * Validates raw parameters. Unknown names are refused; missing ones take the spec's default (so a
 * parameter added in a later version does not break older files).
 */
export function resolveParams(spec: AnyLayerSpec, raw: Readonly<Record<string, unknown>>): ParamResult {
  const issues: ParamIssue[] = [];
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(spec.params, key))
      issues.push({
        param: key,
        message: `${spec.kind} has no parameter "${key}" (it has: ${Object.keys(spec.params).join(', ') || 'none'}).`,
      });
  }
  for (const [name, ps] of paramEntries(spec)) {
    const v = Object.hasOwn(raw, name) ? raw[name] : ps.default;
    const msg = checkParamValue(name, ps, v);
    if (msg) issues.push({ param: name, message: msg });
    else config[name] = v;
  }
  if (issues.length === 0) {
    const cfg = config as ConfigOf<ParamSpecs>;
    const cross = spec.check?.(cfg);
    if (cross) issues.push({ param: cross.param, message: cross.message });
    else return { ok: true, config: cfg, issues: [] };
  }
  return { ok: false, config: undefined, issues };
}

/** Default parameters of a kind, as stored in a new node. */
export function defaultParams(spec: AnyLayerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.params)) out[k] = structuredCloneJson(v.default);
  return out;
}

function structuredCloneJson<T>(v: T): T {
  return Array.isArray(v) ? (v.slice() as T) : v;
}
