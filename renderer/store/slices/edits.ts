/** What every editing action shares: counting an edit (dirty marker) and the read-only lock. */
import type { AppState, GetState, SetState } from '../state';

export const LOCKED_NOTICE =
  'The graph is read-only while it trains: stop the run (or let it finish) to edit it.';

export function editing(set: SetState, get: GetState) {
  return {
    /** Applies an edit of the document: the edit count (dirty marker) goes up. */
    edited: (patch: Partial<AppState>) => set((s) => ({ ...patch, editVersion: s.editVersion + 1 })),
    /** True (and a notice) when the graph is read-only because it trains. */
    refused: (): boolean => {
      if (!get().locked) return false;
      get().notify(LOCKED_NOTICE, 'error');
      return true;
    },
  };
}
