/**
 * The training worker (bundled to dist/worker.js). Speaks `shared/training/protocol.ts`: the host
 * sends `start` (payload: `WorkerStartPayload`) and may send `cancel`; the worker posts training
 * events and exits after the terminal one. Cancellation is also signalled through a shared flag so it
 * is seen before the next batch even while the loop is busy.
 */
import { parentPort } from 'node:worker_threads';
import type { HostMessage } from '../../shared/training/protocol';
import { LiveProbeBuffer } from './liveProbe';
import { runTraining } from './train';
import type { WorkerStartPayload } from './session';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
let flag: Int32Array | undefined;
let cancelled = false;
let started = false;

port.on('message', (msg: HostMessage) => {
  if (msg.type === 'cancel') {
    cancelled = true;
    if (flag) Atomics.store(flag, 0, 1);
    return;
  }
  if (msg.type !== 'start' || started) return;
  started = true;
  const p = msg.payload as WorkerStartPayload;
  flag = new Int32Array(p.cancelFlag);
  const f = flag;
  void runTraining({
    runId: p.runId,
    graph: p.graph,
    data: p.data,
    config: p.config,
    backend: p.backend,
    probe: p.probe,
    previous: p.previous,
    layerStats: p.layerStats,
    checkpoints: p.checkpoints,
    statsEveryBatches: p.statsEveryBatches,
    liveProbe: new LiveProbeBuffer(p.liveProbe, p.data.inputs[0]!.dtype),
    emit: (e) => port.postMessage(e),
    isCancelled: () => cancelled || Atomics.load(f, 0) === 1,
  }).then(() => port.close());
});
