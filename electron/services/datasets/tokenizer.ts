/**
 * Text → token ids for the sequence templates (Embedding + LSTM/GRU, Transformer).
 *
 * - Tokens: lowercase runs of letters/digits (an apostrophe inside a word is kept: `don't`).
 * - Vocabulary: built from the TRAINING rows only (a word seen only in validation rows is unknown, as
 *   it would be for new data): the `vocabSize − 2` most frequent words, ties broken alphabetically.
 * - Ids: 0 = padding, 1 = unknown, 2… = words by decreasing frequency.
 * - Fixed length: the first `maxLength` tokens are kept (the subject and opening lines carry the
 *   most signal), shorter sequences are padded with 0 at the front (Keras `pad_sequences` default), so
 *   a recurrent layer reads the real tokens last.
 */

export const PAD_ID = 0;
export const UNKNOWN_ID = 1;

const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** What predict needs to encode new text the same way. */
export interface TokenizerState {
  /** Index = id; `words[0]` is `<pad>`, `words[1]` is `<unk>`. */
  words: string[];
  maxLength: number;
}

export class Tokenizer {
  private readonly index = new Map<string, number>();
  constructor(readonly state: TokenizerState) {
    state.words.forEach((w, i) => {
      if (i > UNKNOWN_ID) this.index.set(w, i);
    });
  }

  /** Vocabulary size including padding and unknown. */
  get vocabSize(): number {
    return this.state.words.length;
  }

  /** Counts words over the training documents only and keeps the `vocabSize − 2` most frequent. */
  static fromCounts(counts: Map<string, number>, vocabSize: number, maxLength: number): Tokenizer {
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const words = ['<pad>', '<unk>', ...ranked.slice(0, Math.max(0, vocabSize - 2)).map(([w]) => w)];
    return new Tokenizer({ words, maxLength });
  }

  static fromTraining(docs: Iterable<readonly string[]>, vocabSize: number, maxLength: number): Tokenizer {
    const counts = new Map<string, number>();
    for (const doc of docs) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1);
    return Tokenizer.fromCounts(counts, vocabSize, maxLength);
  }

  id(word: string): number {
    return this.index.get(word) ?? UNKNOWN_ID;
  }

  /** Writes the ids of `tokens` (truncated / front-padded to maxLength) into `out` at `offset`. */
  encodeInto(tokens: readonly string[], out: Int32Array, offset: number): void {
    const L = this.state.maxLength;
    const n = Math.min(tokens.length, L);
    const pad = L - n;
    out.fill(PAD_ID, offset, offset + pad);
    for (let i = 0; i < n; i++) out[offset + pad + i] = this.id(tokens[i]!);
  }

  encode(text: string): Int32Array {
    const out = new Int32Array(this.state.maxLength);
    this.encodeInto(tokenize(text), out, 0);
    return out;
  }
}
