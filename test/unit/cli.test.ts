import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli';
import { writeArchive } from '../../shared/ir/container';
import { TEMPLATE_IDS } from '../../shared/templates/index';

const run = promisify(execFile);
const BIN = path.resolve('bin/netloom.js');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const dir = mkdtempSync(path.join(tmpdir(), 'netloom-cli-'));
const f = (name: string) => path.join(dir, name);

describe('netloom CLI', () => {
  it('runs as a real process: new, summary --json, validate', async () => {
    await run(process.execPath, [
      BIN,
      'new',
      '--template',
      'mlp',
      '--input-shape',
      '784',
      '--outputs',
      '10',
      '--out',
      f('mlp.nnproj'),
    ]);
    const { stdout } = await run(process.execPath, [BIN, 'summary', f('mlp.nnproj'), '--json']);
    const json = JSON.parse(stdout) as {
      layers: { id: string; kind: string; outputShape: unknown; params: number }[];
      totalParams: number;
    };
    expect(json.totalParams).toBe(118_282);
    expect(json.layers[1]).toMatchObject({
      id: 'dense_1',
      kind: 'Dense',
      outputShape: ['batch', 128],
      params: 100_480,
    });
    const v = await run(process.execPath, [BIN, 'validate', f('mlp.nnproj')]);
    expect(v.stdout).toMatch(/valid \(6 nodes, 118,282 parameters\)/);
  });

  it.each(TEMPLATE_IDS.map((t) => [t]))('new --template %s, then validate and summary succeed', async (t) => {
    const file = f(`tpl-${t}.nnproj`);
    expect((await cli('new', '--template', t, '--out', file)).code).toBe(0);
    expect((await cli('validate', file)).code).toBe(0);
    const s = await cli('summary', file);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/Total params: [\d,]+/);
  });

  it('prints the Keras-style table with the arithmetic', async () => {
    await cli(
      'new',
      '--template',
      'cnn',
      '--input-shape',
      '28,28,1',
      '--outputs',
      '10',
      '--out',
      f('cnn.nnproj'),
      '--force',
    );
    const s = await cli('summary', f('cnn.nnproj'));
    expect(s.out).toContain('conv2d_1');
    expect(s.out).toContain('[batch, 28, 28, 6]');
    expect(s.out).toContain('5 × 5 × 1 × 6 + 6 = 156');
    expect(s.out).toContain('Total params: 61,706');
  });

  it('exit 1 with one located error a line for an invalid project', async () => {
    const project = {
      format: 'netloom-project',
      formatVersion: 1,
      name: 'broken',
      graph: {
        nodes: [
          { id: 'in', kind: 'Input', params: { shape: [784] }, position: { x: 0, y: 0 } },
          { id: 'conv', kind: 'Conv2D', params: {}, position: { x: 0, y: 100 } },
          { id: 'out', kind: 'Output', params: { targetShape: [10] }, position: { x: 0, y: 200 } },
          { id: 'lonely', kind: 'Dense', params: {}, position: { x: 0, y: 300 } },
        ],
        edges: [
          { id: 'e1', source: 'in', target: 'conv', targetPort: 'in' },
          { id: 'e2', source: 'conv', target: 'out', targetPort: 'in' },
        ],
      },
      data: null,
      training: {
        optimizer: 'adam',
        learningRate: 0.001,
        batchSize: 32,
        epochs: 5,
        validationSplit: 0.2,
        shuffle: true,
        seed: 1,
        loss: 'auto',
        earlyStopping: null,
      },
      runs: [],
    };
    writeFileSync(
      f('broken.nnproj'),
      writeArchive(new Map([['project.json', new TextEncoder().encode(JSON.stringify(project))]])),
    );
    const r = await cli('validate', f('broken.nnproj'));
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines.some((l) => /conv \(Conv2D\), port in: Conv2D needs a rank-4 input/.test(l))).toBe(true);
    expect(
      lines.some((l) =>
        /lonely \(Dense\), port in: Input port in of lonely \(Dense\) is not connected/.test(l),
      ),
    ).toBe(true);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
  });

  it('exit 1 naming the entry and JSON path for a corrupt file', async () => {
    writeFileSync(
      f('kind.nnproj'),
      writeArchive(
        new Map([
          [
            'project.json',
            new TextEncoder().encode(
              JSON.stringify({
                format: 'netloom-project',
                formatVersion: 1,
                name: 'x',
                graph: {
                  nodes: [{ id: 'a', kind: 'Frobnicate', params: {}, position: { x: 0, y: 0 } }],
                  edges: [],
                },
                data: null,
                training: {},
                runs: [],
              }),
            ),
          ],
        ]),
      ),
    );
    const r = await cli('validate', f('kind.nnproj'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('project.json: graph.nodes[0].kind: unknown layer kind "Frobnicate"');
    writeFileSync(f('text.nnproj'), 'hello');
    const t = await cli('summary', f('text.nnproj'));
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/not a Netloom project/);
  });

  it('exit 2 for bad usage', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', f('missing.nnproj'))).code).toBe(2);
    expect((await cli('new', '--template', 'nope', '--out', f('x.nnproj'))).code).toBe(2);
    expect((await cli('new', '--template', 'mlp', '--input-shape', 'abc', '--out', f('x.nnproj'))).code).toBe(
      2,
    );
    expect((await cli('new', '--template', 'cnn', '--input-shape', '10', '--out', f('x.nnproj'))).code).toBe(
      2,
    );
    expect((await cli('new', '--template', 'mlp', '--out', f('mlp.nnproj'))).code).toBe(2); // exists, no --force
    expect(readdirSync(dir)).not.toContain('x.nnproj');
  });

  it('--help and --version exit 0', async () => {
    expect((await cli('--help')).code).toBe(0);
    const v = await cli('--version');
    expect(v.code).toBe(0);
    expect(v.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

// export --force (trust issue, item 3): never the folder holding the project.
import { mkdirSync, readFileSync } from 'node:fs';

describe('netloom export --force', () => {
  it('refuses the folder holding the project (the reported case), touching nothing', async () => {
    const top = mkdtempSync(path.join(tmpdir(), 'netloom-cli-force-'));
    const out = path.join(top, 'DIR');
    mkdirSync(out);
    const p = path.join(out, 'P.nnproj');
    expect((await cli('new', '--template', 'mlp', '--out', p)).code).toBe(0);
    writeFileSync(path.join(out, 'notes.txt'), 'my notes');
    const bytes = readFileSync(p);
    const r = await run(process.execPath, [
      BIN,
      'export',
      p,
      '--format',
      'svg',
      '--out',
      out,
      '--force',
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Refusing to export into ${out}: it holds ${p}`);
    expect(readdirSync(out).sort()).toEqual(['P.nnproj', 'notes.txt']);
    expect(readFileSync(p).equals(bytes)).toBe(true);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readdirSync(top)).toEqual(['DIR']);
    // The same from inside DIR with a relative path, and for the folder above.
    for (const target of [top, path.relative(process.cwd(), out)]) {
      const again = await cli('export', p, '--format', 'svg', '--out', target, '--force');
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/Refusing to export into .*: it holds .*P\.nnproj/);
    }
    expect(readdirSync(out).sort()).toEqual(['P.nnproj', 'notes.txt']);
    // A subfolder is fine, and --force replaces that earlier export.
    for (let i = 0; i < 2; i++)
      expect(
        (await cli('export', p, '--format', 'svg', '--out', path.join(out, 'diagram'), '--force')).code,
      ).toBe(0);
    expect(readdirSync(path.join(out, 'diagram')).sort()).toEqual(['.netloom-export.json', 'diagram.svg']);
  });
});
