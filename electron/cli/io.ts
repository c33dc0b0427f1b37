/** Where a command writes: standard output and standard error (a test passes its own). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}
