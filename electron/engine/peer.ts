/**
 * A gradient peer of data-parallel training (bundled to dist/peer.js; see parallel.ts). Gets a
 * `PeerInit`, loads the same backend, compiles the same graph, says it is ready in shared memory,
 * then computes the shards it is assigned until told to stop. Any failure is published as
 * "failed" so rank 0 computes that peer's shards itself.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend';
import { compileGraph, trainableVariables } from './compile';
import { peerFailed, peerLoop, type PeerInit } from './parallel';

if (!parentPort) throw new Error('peer.ts must run in a worker thread');
const port = parentPort;

port.once('message', (init: PeerInit) => {
  // However this thread ends (process.exit in a dependency included), rank 0 stops waiting for it.
  process.on('exit', () => peerFailed(init));
  void (async () => {
    try {
      await initBackend(init.backend);
      const c = await compileGraph(init.graph, { lossOverride: init.config.loss, target: init.data.target });
      const vars = c.model.weights.map((w) => w.read() as tf.Variable);
      const trainable = trainableVariables(c);
      peerLoop(init, c, vars, trainable);
      c.model.dispose();
    } catch {
      peerFailed(init);
    } finally {
      port.close();
    }
  })();
});
