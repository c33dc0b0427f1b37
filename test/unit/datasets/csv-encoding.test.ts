/**
 * Text encodings for the CSV import: a file that is not UTF-8 is read as Windows-1252 with a warning
 * naming the file, the line of the first offending byte and the encoding assumed; UTF-16 with a
 * byte-order mark is decoded; a UTF-8 byte-order mark is dropped silently; NUL bytes (UTF-16 without a
 * mark, a binary file), damaged UTF-16 and UTF-32 are refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../../electron/services/datasets/csv';
import { failure } from './helpers';

const FIX = join(__dirname, '../../fixtures/csv');
const fx = (name: string) => join(FIX, name);
const dir = mkdtempSync(join(tmpdir(), 'netloom-csv-enc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noReplacement = (names: string[]) => expect(names.join('|')).not.toContain('\uFFFD');

describe('CSV import: text encodings', () => {
  it('a Latin-1 file is read as Windows-1252, with a warning naming the file, the line and the byte', async () => {
    const r = await importCsv(fx('latin1.csv'), {
      target: 'label',
      columns: [nameIgnored],
      validationSplit: 0,
    });
    expect(r.dataset.featureNames).toEqual(['city=Besançon', 'city=Paris', 'height']);
    const warning = r.warnings.find((w) => /UTF-8/.test(w));
    expect(warning).toMatch(/^latin1\.csv is not valid UTF-8: line 2 has the byte 0xE9/);
    expect(warning).toMatch(/read as Windows-1252/);
    expect(warning).toMatch(/save the file as CSV UTF-8/);
  });

  it('Windows-1252 curly quotes, euro sign and dash decode to those characters, not C1 controls', async () => {
    const r = await importCsv(fx('cp1252-quotes.csv'), { target: 'label', validationSplit: 0 });
    expect(r.dataset.featureNames).toEqual([
      'item=plain mug',
      'item=plain mug – blue',
      'item=“Deluxe” mug',
      'item=€ voucher',
      'price',
    ]);
    noReplacement(r.dataset.featureNames ?? []);
    expect(r.warnings.join('\n')).toMatch(/cp1252-quotes\.csv is not valid UTF-8: line 2 has the byte 0x93/);
  });

  it('a file that turns out not to be UTF-8 after UTF-8-looking text is re-read whole as Windows-1252, and says so', async () => {
    const r = await importCsv(fx('mixed-encodings.csv'), { target: 'label', validationSplit: 0 });
    // Bytes C3 A9 on line 2 are "Ã©" in Windows-1252; the lone E9 on line 4 is "é".
    expect(r.dataset.featureNames).toEqual(['city=CafÃ©', 'city=Café', 'city=Paris', 'x']);
    expect(r.rows).toBe(4);
    const warning = r.warnings.find((w) => /UTF-8/.test(w));
    expect(warning).toMatch(/^mixed-encodings\.csv is not valid UTF-8: line 4 has the byte 0xE9/);
    expect(warning).toMatch(/from line 2/);
    expect(warning).toMatch(/mixes/);
  });

  it('a UTF-8 file with a byte-order mark is read silently, the mark dropped', async () => {
    const r = await importCsv(fx('utf8-bom.csv'), { target: 'label', validationSplit: 0 });
    expect(r.dataset.featureNames).toEqual(['ville=Nice', 'ville=Zoé’s', 'x']);
    expect(r.warnings.filter((w) => /UTF|encoding|Windows/.test(w))).toEqual([]);
  });

  it('UTF-16 with a byte-order mark (little- and big-endian) is decoded as UTF-16', async () => {
    const r = await importCsv(fx('utf16le-bom.csv'), { target: 'label', validationSplit: 0 });
    expect(r.preprocessing.delimiter).toBe('\t');
    expect(r.dataset.featureNames).toEqual(['ville=Nice', 'ville=Zoé’s', 'x']);
    expect(r.warnings.filter((w) => /UTF|encoding|Windows/.test(w))).toEqual([]);
    const text = 'ville,x,label\nZoé’s,1,a\nNice,2,b\n𝔸,3,a\nNice,4,b\n';
    const be = Buffer.from(text, 'utf16le').swap16();
    writeFileSync(join(dir, 'utf16be.csv'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    const b = await importCsv(join(dir, 'utf16be.csv'), { target: 'label', validationSplit: 0 });
    expect(b.dataset.featureNames).toEqual(['ville=Nice', 'ville=Zoé’s', 'ville=𝔸', 'x']);
  });

  it('UTF-16 without a byte-order mark (NUL bytes) is refused with its line, not read as garbage', async () => {
    writeFileSync(join(dir, 'utf16-nobom.csv'), Buffer.from('a,b,label\n1,2,x\n3,4,y\n', 'utf16le'));
    const e = await failure(importCsv(join(dir, 'utf16-nobom.csv')));
    expect(e.code).toBe('encoding');
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/^line 1: a NUL byte/);
    expect(e.message).toMatch(/UTF-16/);
    writeFileSync(join(dir, 'nul.csv'), 'a,b,label\n1,2,x\n3,\u00004,y\n');
    expect(await failure(importCsv(join(dir, 'nul.csv')))).toMatchObject({ code: 'encoding', line: 3 });
  });

  it('every Windows-1252 byte 0x80-0x9F decodes to its character; a UTF-8 sequence cut by the end of the file too', async () => {
    const specials = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    const lines = [Buffer.from('name,x,label\n'), specials, Buffer.from(',1,a\nplain,2,b\n')];
    writeFileSync(join(dir, 'specials.csv'), Buffer.concat(lines));
    const r = await importCsv(join(dir, 'specials.csv'), { target: 'label', validationSplit: 0 });
    const expected = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
    expect(r.dataset.featureNames).toEqual(['name=plain', `name=${expected}`, 'x']);
    writeFileSync(
      join(dir, 'cut.csv'),
      Buffer.concat([Buffer.from('a,b,label\n1,2,x\n3,4,y\n5,6,caf'), Buffer.from([0xc3])]),
    );
    const c = await importCsv(join(dir, 'cut.csv'), { target: 'label', validationSplit: 0 });
    expect(c.dataset.classes).toEqual(['cafÃ', 'x', 'y']);
    expect(c.warnings.join('\n')).toMatch(/cut\.csv is not valid UTF-8: line 4 has the byte 0xC3/);
  });

  it('damaged UTF-16 and UTF-32 are refused clearly, with the line', async () => {
    const le = (t: string) => Buffer.from(t, 'utf16le');
    const bom = Buffer.from([0xff, 0xfe]);
    writeFileSync(
      join(dir, 'lone.csv'),
      Buffer.concat([bom, le('a,b,label\n1,2,x\n3,4,'), le('\uD800'), le('y\n')]),
    );
    const lone = await failure(importCsv(join(dir, 'lone.csv')));
    expect(lone).toMatchObject({ code: 'encoding', line: 3 });
    expect(lone.message).toMatch(/^line 3: lone\.csv is not valid UTF-16 \(a lone surrogate, U\+D800\)/);
    writeFileSync(
      join(dir, 'odd.csv'),
      Buffer.concat([bom, le('a,b,label\n1,2,x\n3,4,y\n'), Buffer.from([0x41])]),
    );
    const odd = await failure(importCsv(join(dir, 'odd.csv')));
    expect(odd).toMatchObject({ code: 'encoding', line: 4 });
    expect(odd.message).toMatch(/ends in the middle of a UTF-16 character/);
    writeFileSync(
      join(dir, 'utf32.csv'),
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('a\0\0\0')]),
    );
    const u32 = await failure(importCsv(join(dir, 'utf32.csv')));
    expect(u32).toMatchObject({ code: 'encoding', line: 1 });
    expect(u32.message).toMatch(/^utf32\.csv is UTF-32 text .*Save it as CSV UTF-8/);
  });

  it('the first invalid byte after a megabyte of ASCII is found on its line; characters split across reads survive', async () => {
    const rows = ['city,x,label'];
    for (let size = 0; size < 1.5 * 2 ** 20; size += rows.at(-1)!.length + 1)
      rows.push(`Paris,${rows.length},${rows.length % 2}`);
    const line = rows.length + 1;
    const latin = Buffer.concat([
      Buffer.from(rows.join('\n') + '\nAm', 'latin1'),
      Buffer.from([0xe9]),
      Buffer.from('lie,1,0\n'),
    ]);
    writeFileSync(join(dir, 'late.csv'), latin);
    const r = await importCsv(join(dir, 'late.csv'), { target: 'label' });
    expect(r.warnings.join('\n')).toMatch(
      new RegExp(`late\\.csv is not valid UTF-8: line ${line} has the byte 0xE9`),
    );
    expect(r.dataset.featureNames).toEqual(['city=Amélie', 'city=Paris', 'x']);
    // Valid UTF-8 whose multi-byte characters straddle the 1 MiB read boundaries: no warning, same text.
    const utf8 = ['city,x,label'];
    for (let i = 0, size = 0; size < 2.5 * 2 ** 20; i++, size += utf8.at(-1)!.length + 1)
      utf8.push(`${i % 2 ? 'Zoé’s𝔸' : 'Nice'},${i},${i % 2}`);
    writeFileSync(join(dir, 'long-utf8.csv'), utf8.join('\n'));
    const u = await importCsv(join(dir, 'long-utf8.csv'), { target: 'label' });
    expect(u.warnings.filter((w) => /UTF|Windows/.test(w))).toEqual([]);
    expect(u.dataset.featureNames).toEqual(['city=Nice', 'city=Zoé’s𝔸', 'x']);
  });
});

const nameIgnored = { name: 'name', role: 'ignore', type: 'categorical' } as const;
