// `npm start`: the desktop app when Electron's binary is available, otherwise serve mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(dir)) return null;
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) {
    // Electron fetches its binary on first use; try once, quietly.
    const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], {
      stdio: 'ignore',
      timeout: 300_000,
    });
    if (r.status !== 0 || !existsSync(pathFile)) return null;
  }
  const bin = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const bin = electronBinary();
let child;
if (bin) {
  child = spawn(bin, [root, ...args], { stdio: 'inherit' });
} else {
  console.log(
    "Electron's binary is not available on this machine; starting serve mode (open the address below in a browser).",
  );
  child = spawn(process.execPath, [path.join(root, 'bin', 'netloom.js'), 'serve', ...args], {
    stdio: 'inherit',
  });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
