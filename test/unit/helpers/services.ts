/** Driving the app's services (AppServices) in tests as the IPC and serve layers do. */
import type { AppServices } from '../../../electron/services/app';
import type { TrainingEventView } from '../../../shared/ipc/contract';

/** The run's terminal event (done, diverged, cancelled or error) for a document. */
export function runEnd(services: AppServices, docId: string): Promise<TrainingEventView> {
  return new Promise((resolve) => {
    const on = (name: string, payload: { docId: string; event: TrainingEventView }) => {
      if (name !== 'training.event' || payload.docId !== docId) return;
      if (['done', 'diverged', 'cancelled', 'error'].includes(payload.event.type)) {
        services.events.off('event', on);
        resolve(payload.event);
      }
    };
    services.events.on('event', on);
  });
}
