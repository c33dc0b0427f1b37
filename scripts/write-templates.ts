/**
 * Writes every template (default options) to assets/templates/<id>.nnproj.
 * `npm run templates`; test/unit/templates.test.ts fails when these files drift from the code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeProjectFile } from '../shared/ir/project';
import { buildTemplate, TEMPLATE_IDS } from '../shared/templates/index';

export const TEMPLATE_DIR = path.join(import.meta.dirname, '..', 'assets', 'templates');

export function templateBytes(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const id of TEMPLATE_IDS) out.set(`${id}.nnproj`, writeProjectFile({ project: buildTemplate(id) }));
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  mkdirSync(TEMPLATE_DIR, { recursive: true });
  for (const [name, bytes] of templateBytes()) {
    writeFileSync(path.join(TEMPLATE_DIR, name), bytes);
    console.log(`wrote assets/templates/${name}`);
  }
}
