/**
 * Seeded randomness for training. tfjs draws every unseeded random number (initialisers, dropout
 * masks) from `Math.random`, so a run installs a seeded generator there for its duration: the same
 * seed on the same backend then gives the same initial weights, dropout masks and result. Shuffling
 * uses its own generator from the same seed. The generator and the permutation are shared/random.ts's
 * (the datasets use the same ones); they are re-exported here for the engine.
 */
import { mulberry32 } from '../../shared/random';

export { mulberry32, permutation } from '../../shared/random';

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
