/**
 * The packaging config's hardening: electron-builder.yml read the way electron-builder reads it
 * (with its own js-yaml, resolved from app-builder-lib, so no YAML parser is added to the project)
 * and checked against electron-builder's own schema, then the Electron fuses and asar asserted.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// app-builder-lib is electron-builder's library: its js-yaml is the parser that reads this file.
const builderRequire = createRequire(path.resolve('node_modules/app-builder-lib/package.json'));
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = builderRequire('./out/util/config/config.js') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean }): Promise<void>;
};

const config = yaml.load(readFileSync(path.resolve('electron-builder.yml'), 'utf8')) as Record<
  string,
  unknown
>;

describe('electron-builder.yml', () => {
  it('is the config electron-builder uses (package.json has no "build" key, which would win)', () => {
    const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).not.toHaveProperty('build');
  });

  it("passes electron-builder's own schema check (an unknown or misspelt key fails here)", async () => {
    await expect(validateConfiguration(config, { isEnabled: false })).resolves.toBeUndefined();
  });

  it('packs the app into an asar archive, with integrity data embedded', () => {
    expect(config.asar).toBe(true);
    expect(config.disableAsarIntegrity).toBeUndefined();
  });

  it('flips the Electron fuses: no Node entry points, app code only from the verified asar', () => {
    expect(config.electronFuses).toEqual({
      // ELECTRON_RUN_AS_NODE would turn the signed app into a plain Node interpreter.
      runAsNode: false,
      // NODE_OPTIONS / NODE_EXTRA_CA_CERTS would inject code or certificates into the main process.
      enableNodeOptionsEnvironmentVariable: false,
      // --inspect and SIGUSR1 would open a debugger on the main process.
      enableNodeCliInspectArguments: false,
      // Load app code only from app.asar, and check app.asar against the hash in the signed binary.
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      // The page is served from netloom://, so file:// pages need no extra privileges.
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
    });
  });
});
