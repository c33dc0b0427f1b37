/**
 * An Int32Array that grows by doubling: the CSV importer stores millions of category codes, token ids
 * and line numbers without boxing them in JS arrays (8 bytes + a pointer each) or keeping their strings.
 */

export class GrowableInt32 {
  private buf: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.buf = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  get(i: number): number {
    return this.buf[i]!;
  }
  view(): Int32Array {
    return this.buf.subarray(0, this.length);
  }
}
