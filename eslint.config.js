// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'http',
  'https',
  'net',
  'stream',
  'zlib',
  'url',
  'util',
  'events',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'release/',
      'test-results/',
      'assets/',
      'test/fixtures/',
      '.tmp*/',
      'tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // shared/ is pure TypeScript: no Node, no DOM frameworks, no tfjs, no Electron.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'shared/ must not import Node built-ins.' },
            { group: ['electron', 'electron/*'], message: 'shared/ must not import Electron.' },
            {
              group: ['react', 'react-dom', 'react/*', '@xyflow/*', 'zustand', 'zustand/*'],
              message: 'shared/ must not import React.',
            },
            {
              group: ['@tensorflow/*'],
              message: 'shared/ must not import TensorFlow.js; the engine lives in electron/engine.',
            },
            {
              group: ['**/electron/**', '**/renderer/**'],
              message: 'shared/ imports nothing from electron/ or renderer/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only electron/ipc touches ipcMain (one wrapper checks every sender and payload).
    files: ['electron/**/*.ts'],
    ignores: ['electron/ipc/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain'],
              message: 'Only electron/ipc touches ipcMain: bind handlers through electron/ipc/bind.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // renderer/ talks to the main side only through shared/ipc.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/electron/**', 'electron', 'electron/*'],
              message: 'renderer/ never imports electron/; use shared/ipc.',
            },
            { group: nodeBuiltins, message: 'renderer/ runs in a sandboxed page: no Node built-ins.' },
            {
              group: ['@tensorflow/*'],
              message:
                'renderer/ never runs TensorFlow.js: the engine lives in electron/engine, behind shared/ipc.',
            },
          ],
        },
      ],
    },
  },
);
