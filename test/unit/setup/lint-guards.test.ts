/** The layering rules ESLint enforces, checked on snippets placed where they would break them. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function messages(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint guards', () => {
  it('renderer/ imports no TensorFlow.js package at all', async () => {
    for (const pkg of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-node'])
      expect(await messages(`import * as tf from '${pkg}';\nvoid tf;\n`, 'renderer/x.ts')).toEqual([
        expect.stringMatching(/renderer\/ never runs TensorFlow\.js/),
      ]);
  });

  it('only electron/ipc touches ipcMain', async () => {
    const code = "import { ipcMain } from 'electron';\nvoid ipcMain;\n";
    expect(await messages(code, 'electron/main.ts')).toEqual([
      expect.stringMatching(/Only electron\/ipc touches ipcMain/),
    ]);
    expect(await messages(code, 'electron/services/x.ts')).toHaveLength(1);
    expect(await messages(code, 'electron/ipc/bind.ts')).toEqual([]);
    // Other Electron imports stay allowed in main.ts.
    expect(await messages("import { app } from 'electron';\nvoid app;\n", 'electron/main.ts')).toEqual([]);
  });

  it('shared/ stays pure and renderer/ never reaches electron/', async () => {
    expect(await messages("import fs from 'node:fs';\nvoid fs;\n", 'shared/x.ts')).toHaveLength(1);
    expect(await messages("import { x } from '../electron/cli';\nvoid x;\n", 'renderer/y.ts')).toHaveLength(
      1,
    );
  });
});
