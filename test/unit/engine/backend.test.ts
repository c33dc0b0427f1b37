/** Backend selection: the best that loads, NETLOOM_BACKEND forcing one, a clear error otherwise. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendError, forcedBackend, initBackend } from '../../../electron/engine/backend';

describe('backend selection', () => {
  it('initialises wasm here (tfjs-node is not installed) and computes', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const v = tf.tidy(() => tf.tensor1d([3, 4]).square().sum().dataSync()[0]);
    expect(v).toBe(25);
  });
  it('picks the best backend that loads when nothing is forced', async () => {
    const prev = process.env.NETLOOM_BACKEND;
    delete process.env.NETLOOM_BACKEND;
    try {
      const name = await initBackend();
      let native = true;
      try {
        await import('@tensorflow/tfjs-node' as string);
      } catch {
        native = false;
      }
      expect(name).toBe(native ? 'tensorflow' : 'wasm');
    } finally {
      if (prev !== undefined) process.env.NETLOOM_BACKEND = prev;
    }
  });
  it('NETLOOM_BACKEND forces one, refuses unknown names, and fails clearly when the forced one cannot load', async () => {
    expect(forcedBackend({ NETLOOM_BACKEND: 'cpu' })).toBe('cpu');
    expect(() => forcedBackend({ NETLOOM_BACKEND: 'gpu' })).toThrow(/must be one of tensorflow, wasm, cpu/);
    expect(await initBackend('cpu')).toBe('cpu');
    let native = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      native = false;
    }
    if (!native) await expect(initBackend('tensorflow')).rejects.toThrow(BackendError);
    if (!native) await expect(initBackend('tensorflow')).rejects.toThrow(/tensorflow backend was requested/);
  });
});
