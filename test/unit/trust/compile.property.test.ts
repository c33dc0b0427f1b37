/**
 * A graph `validate` accepts is a graph `train` can build: for random graphs (chains of every layer
 * kind with random parameters, and wired-at-random garbage), whenever the checker says the graph is
 * valid, the engine compiles it to a TensorFlow.js model. The only refusal allowed is the one the
 * engine states for a graph that exports but cannot train here (a dilated convolution), and it is a
 * located INVALID_GRAPH error, never an internal one.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph, EngineError } from '../../../electron/engine/compile';
import { checkGraph } from '../../../shared/graph/check';
import { graphArb } from '../helpers/graphArb';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('every valid graph compiles', () => {
  it('checker-valid random graphs build as TensorFlow.js models', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(graphArb, async (g) => {
        const report = checkGraph(g);
        // Big random models only cost time (initialisers); their kinds are covered by small ones.
        if (!report.valid || report.totals.params > 200_000) return;
        valid++;
        try {
          const c = await compileGraph(g);
          expect(c.model.outputs.length).toBeGreaterThan(0);
          c.model.dispose();
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(EngineError);
          expect((e as EngineError).code).toBe('INVALID_GRAPH');
          expect((e as Error).message).toMatch(/dilat/);
        }
      }),
      { numRuns: 800 },
    );
    console.log(`compile property: ${valid} of 800 random graphs were valid and compiled`);
    // About 10% of the random graphs are valid and small (mean ~81 of 800, SD ~9 over 30 batches):
    // the floor guards against the generator drifting into mostly invalid graphs, far enough below
    // the mean (5 SD) that a run never fails on the draw alone.
    expect(valid).toBeGreaterThan(30);
  }, 300_000);
});
