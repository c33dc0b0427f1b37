/**
 * The user's block library: blocks saved from any project, to use in any other. One JSON file in
 * the data folder, written atomically; read defensively (a damaged or hand-edited file loses only
 * the entries that do not validate).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { libraryEntrySchema, type LibraryEntry } from '../../../shared/ipc/contract';
import { writeFileAtomic } from '../projectFiles';
import type { AppCore, HandlerGroup } from './core';

export type LibraryRequests = 'library.list' | 'library.save';

/** At most this many blocks, and this many bytes of file, are read. */
const MAX_ENTRIES = 200;
const MAX_BYTES = 8 * 1024 * 1024;

async function readLibrary(file: string): Promise<LibraryEntry[]> {
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_BYTES) return [];
    const raw: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    if (!Array.isArray(raw)) return [];
    return raw
      .slice(0, MAX_ENTRIES)
      .map((e) => libraryEntrySchema.safeParse(e))
      .flatMap((r) => (r.success ? [r.data] : []));
  } catch {
    return [];
  }
}

export function libraryHandlers(app: AppCore): HandlerGroup<LibraryRequests> {
  const file = () => path.join(app.opts.dataDir, 'blocks.json');
  return {
    'library.list': async () => ({ entries: await readLibrary(file()) }),
    'library.save': async ({ entry }) => {
      const kept = (await readLibrary(file())).filter((e) => e.block.name !== entry.block.name);
      const entries = [entry, ...kept].slice(0, MAX_ENTRIES);
      await fs.mkdir(app.opts.dataDir, { recursive: true });
      await writeFileAtomic(file(), new TextEncoder().encode(JSON.stringify(entries, null, 1)));
      return { count: entries.length };
    },
  };
}
