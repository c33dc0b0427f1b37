/**
 * The engine's acceptance numbers, on the WebAssembly backend with fixed seeds, through the real
 * CLI (`netloom new --data ...` then `netloom train --json`): real data, the templates as a user
 * gets them (SpamAssassin: 100 tokens, vocabulary 10,000; one epoch is enough to pass 0.90).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readProjectFile, writeProjectFile } from '../../shared/ir/project';

const exec = promisify(execFile);
const BIN = path.resolve('bin/netloom.js');
const dir = mkdtempSync(path.join(tmpdir(), 'netloom-accept-'));

async function netloom(...args: string[]): Promise<string> {
  const r = await exec(process.execPath, [BIN, ...args], {
    env: { ...process.env, NETLOOM_BACKEND: 'wasm' },
    maxBuffer: 64 * 2 ** 20,
  });
  return r.stdout;
}

async function trainTo(template: string, data: string, args: string[], options?: Record<string, number>) {
  const file = path.join(dir, `${template}-${data.replace(/\W/g, '_')}.nnproj`);
  await netloom('new', '--template', template, '--data', data, '--out', file, '--force');
  if (options) {
    const b = readProjectFile(readFileSync(file));
    if (b.project.data?.source === 'builtin') b.project.data.options = options;
    for (const n of b.project.graph.nodes) {
      if (n.kind === 'Input' && options.maxLength) n.params.shape = [options.maxLength];
      if (n.kind === 'Embedding' && options.vocabSize) n.params.inputDim = options.vocabSize;
      if (n.kind === 'PositionalEmbedding') {
        if (options.vocabSize) n.params.vocabSize = options.vocabSize;
        if (options.maxLength) n.params.maxLength = options.maxLength;
      }
    }
    writeFileSync(file, writeProjectFile(b));
  }
  const out = await netloom('train', file, '--json', ...args);
  const last = JSON.parse(out.trim().split('\n').pop()!) as {
    event: string;
    backend: string;
    metrics: Record<string, number>;
  };
  expect(last.event).toBe('done');
  expect(last.backend).toBe('wasm');
  return last.metrics;
}

describe('acceptance on wasm (fixed seeds)', () => {
  it('spirals MLP ≥ 0.95', async () => {
    const m = await trainTo('mlp', 'builtin:spirals', ['--epochs', '40', '--lr', '0.01']);
    expect(m.val_accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('8×8 digits CNN ≥ 0.95', async () => {
    const m = await trainTo('cnn', 'builtin:digits', ['--epochs', '30', '--lr', '0.002']);
    expect(m.val_accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('SpamAssassin LSTM ≥ 0.90 (majority class ≈ 0.69)', async () => {
    const m = await trainTo(
      'lstm',
      'builtin:spamassassin',
      ['--epochs', '2', '--batch-size', '64', '--lr', '0.003'],
      {
        maxLength: 48,
        vocabSize: 4000,
      },
    );
    expect(m.val_accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('SpamAssassin Transformer ≥ 0.90', async () => {
    const m = await trainTo(
      'transformer',
      'builtin:spamassassin',
      ['--epochs', '2', '--batch-size', '64', '--lr', '0.001'],
      {
        maxLength: 48,
        vocabSize: 4000,
      },
    );
    expect(m.val_accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
