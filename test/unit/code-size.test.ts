/**
 * Small modules: no source file over 500 lines and no function over 120 lines (tests, benchmarks,
 * generated files and the WebAssembly text aside). Functions are measured with TypeScript's own
 * parser, from their first line to their last, nested functions included. The test lists every
 * offender, so the one that grows past a limit is named.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

export const MAX_FILE_LINES = 500;
export const MAX_FUNCTION_LINES = 120;

const ROOTS = ['electron', 'shared', 'renderer', 'scripts'];
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SKIP = /\.generated\.ts$|\.d\.ts$/;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (SOURCE.test(e.name) && !SKIP.test(e.name)) out.push(p);
  }
  return out;
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** The name a function goes by in messages: its own, its variable's, its property's, or `<anonymous>`. */
function nameOf(node: ts.Node): string {
  const n = node as ts.FunctionLikeDeclaration;
  if (n.name && ts.isIdentifier(n.name)) return n.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (parent && ts.isCallExpression(parent)) return `${parent.expression.getText().slice(0, 40)}(…)`;
  return '<anonymous>';
}

export function longFunctions(file: string, text: string, max = MAX_FUNCTION_LINES): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)
    ) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) out.push(`${file}:${start + 1} ${nameOf(node)} is ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('code size', () => {
  const files = ROOTS.flatMap((r) => sourceFiles(r));

  it(`no source file over ${MAX_FILE_LINES} lines`, () => {
    const offenders = files
      .map((f) => ({ f, n: lineCount(readFileSync(f, 'utf8')) }))
      .filter(({ n }) => n > MAX_FILE_LINES)
      .map(({ f, n }) => `${f} is ${n} lines`);
    expect(offenders).toEqual([]);
  });

  it(`no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const offenders = files.flatMap((f) => longFunctions(f, readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the function measure finds a long function (so the test can fail)', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const x${i} = ${i};`).join('\n');
    expect(longFunctions('x.ts', `function big() {\n${body}\n}\n`)).toEqual(['x.ts:1 big is 122 lines']);
    expect(longFunctions('x.ts', 'const small = () => 1;\n')).toEqual([]);
  });
});
