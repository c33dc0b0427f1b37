/**
 * Seeded randomness, one implementation for the whole app: datasets (synthetic sets, shuffles,
 * splits, baselines) and the engine (shuffling, initialisers, dropout) draw from the same generator,
 * so the same seed gives the same numbers on every machine. mulberry32: small, fast, good enough for
 * these; not for cryptography. Pure TypeScript (no Node), so both sides can import it.
 */

/** mulberry32: uniform numbers in [0, 1) from a 32-bit state starting at `seed`. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded permutation of 0..n-1 (Fisher–Yates), drawing from `random` (uniform in [0, 1)). */
export function permutation(n: number, random: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** A generator with the draws datasets need (see `createRng`). */
export interface Rng {
  /** Uniform in [0, 1). A plain function, so it can be handed to `permutation`. */
  next: () => number;
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** Mixes a seed and a stream name into a 32-bit state, so each dataset draws its own sequence. */
export function mixSeed(seed: number, stream = ''): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < stream.length; i++) {
    h = Math.imul(h ^ stream.charCodeAt(i), 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32 seeded by `seed` mixed with `stream` (see `mixSeed`), with uniform, normal and int draws. */
export function createRng(seed: number, stream = ''): Rng {
  const next = mulberry32(mixSeed(seed, stream));
  let spare: number | undefined;
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}
