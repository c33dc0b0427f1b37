#!/usr/bin/env node
// The `netloom` command. The TypeScript sources are bundled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('netloom: not built yet; run `npm run build` in the netloom folder first.\n');
  process.exit(2);
}
const { main } = await import(cli);
await main();
