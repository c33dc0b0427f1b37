/** Autosave: unsaved work goes to a recovery slot every 30 s; leaving the page with unsaved work asks first. */
import { useEffect } from 'react';
import { api } from '../ipc/client';
import { useAppStore } from '../store/store';

export function useAutosave(): void {
  useEffect(() => {
    const t = setInterval(() => {
      const s = useAppStore.getState();
      if (s.docId && s.editVersion !== s.savedVersion)
        void api
          .request('autosave.write', { docId: s.docId, path: s.path, project: s.toProject() })
          .catch(() => undefined);
    }, 30_000);
    const beforeUnload = (e: BeforeUnloadEvent) => {
      const s = useAppStore.getState();
      if (s.editVersion !== s.savedVersion) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      clearInterval(t);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, []);
}
