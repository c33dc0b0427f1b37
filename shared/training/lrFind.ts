/** What the learning-rate range test gives (engine/lrFind.ts; `netloom lr-find --json`; the app's Find button). */
export interface LrFindResult {
  /** The rate to use, or null when the curve shows none. */
  suggested: number | null;
  /** [learning rate, smoothed loss] per batch, up to the stop. */
  points: [number, number][];
  /** Why it stopped before the last step, if it did. */
  stopped?: string;
  /** How the suggestion was read off the curve: at the lowest loss, or before the loss rises (a flat curve). */
  rule?: 'lowest-loss' | 'before-rise';
  backend: string;
}
