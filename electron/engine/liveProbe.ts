/**
 * The sample a run's live probe views show, shared between the host and the training worker without
 * messages (the worker's loop does not return to its event loop between batches): a
 * SharedArrayBuffer holding a sequence number, whether a sample is set, and the sample. The host
 * writes under a sequence lock (odd while writing); the worker copies the sample out and keeps the
 * copy only if the sequence number did not move meanwhile.
 */
export interface LiveSample {
  x: Float32Array | Int32Array;
  /** Changes whenever the host sets a sample (or clears it). */
  seq: number;
}

const HEADER = 2;

export class LiveProbeBuffer {
  private readonly head: Int32Array;
  private readonly data: Float32Array | Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly dtype: 'float32' | 'int32',
  ) {
    this.head = new Int32Array(buffer, 0, HEADER);
    const n = buffer.byteLength / 4 - HEADER;
    this.data =
      dtype === 'int32' ? new Int32Array(buffer, HEADER * 4, n) : new Float32Array(buffer, HEADER * 4, n);
  }

  /** A buffer for samples of `size` values. */
  static create(size: number, dtype: 'float32' | 'int32'): LiveProbeBuffer {
    return new LiveProbeBuffer(new SharedArrayBuffer((HEADER + size) * 4), dtype);
  }

  /** Sets the sample (null: none). Values beyond the buffer's size are refused. */
  write(x: ArrayLike<number> | null): void {
    if (x && x.length !== this.data.length)
      throw new RangeError(`The live probe takes samples of ${this.data.length} values; got ${x.length}.`);
    Atomics.add(this.head, 0, 1); // odd: writing
    if (x) this.data.set(x);
    Atomics.store(this.head, 1, x ? 1 : 0);
    Atomics.add(this.head, 0, 1); // even: done
  }

  /** The sequence number now (changes with every write): checking it copies nothing. */
  seq(): number {
    return Atomics.load(this.head, 0);
  }

  /** The sample now, or undefined when none is set or the host is writing it. */
  read(): LiveSample | undefined {
    const seq = Atomics.load(this.head, 0);
    if (seq % 2 === 1 || Atomics.load(this.head, 1) === 0) return undefined;
    const x = this.data.slice();
    return Atomics.load(this.head, 0) === seq ? { x, seq } : undefined;
  }
}
