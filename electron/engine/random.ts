/**
 * Seeded randomness. tfjs draws every unseeded random number (initialisers, dropout masks) from
 * `Math.random`, so a run installs a seeded generator there for its duration: the same seed on the
 * same backend then gives the same initial weights, dropout masks and result. Shuffling uses its own
 * generator from the same seed.
 */

/** mulberry32: small, fast, good enough for shuffling and initialisers. */
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

/** Replaces `Math.random` with a generator seeded by `seed`; returns a function that restores it. */
export function seedMathRandom(seed: number): () => void {
  const original = Math.random;
  // Never return exactly 0: tfjs treats a seed of 0 as "no seed".
  const next = mulberry32(seed ^ 0x5bd1e995);
  Math.random = () => next() || 1e-12;
  return () => {
    Math.random = original;
  };
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
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
