/** Image-folder import: classes from subfolders, resize, grayscale, seeded split, located errors. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../electron/services/datasets/errors';
import { importImageFolder } from '../../../electron/services/datasets/images';

const root = mkdtempSync(path.join(tmpdir(), 'netloom-images-'));

/** Writes n noisy images around a brightness level. */
async function makeClass(dir: string, n: number, level: number, size: number) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(size * size * 3);
    for (let k = 0; k < px.length; k++)
      px[k] = Math.max(0, Math.min(255, level + ((k * 7919 + i * 104729) % 41) - 20));
    await sharp(px, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(path.join(dir, `${i}.png`));
  }
}

beforeAll(async () => {
  await makeClass(path.join(root, 'shapes', 'bright'), 12, 220, 20);
  await makeClass(path.join(root, 'shapes', 'dark'), 10, 30, 24);
  mkdirSync(path.join(root, 'one', 'only'), { recursive: true });
  await makeClass(path.join(root, 'broken', 'a'), 2, 100, 8);
  await makeClass(path.join(root, 'broken', 'b'), 2, 100, 8);
  writeFileSync(path.join(root, 'broken', 'b', 'bad.png'), 'not an image');
});

describe('image folder import', () => {
  it('reads one class per subfolder, resized and grayscale, with a seeded hold-out', async () => {
    const ds = await importImageFolder(path.join(root, 'shapes'), {
      width: 8,
      height: 6,
      grayscale: true,
      seed: 1,
    });
    expect(ds.classes).toEqual(['bright', 'dark']);
    expect(ds.count).toBe(22);
    expect(ds.sampleShape).toEqual([6, 8, 1]);
    expect(ds.x.length).toBe(22 * 48);
    expect(ds.holdout).toBe(5);
    for (let i = 0; i < ds.count; i++) {
      let mean = 0;
      for (const v of ds.x.subarray(i * 48, (i + 1) * 48)) mean += v / 48;
      expect(ds.y[i] === 0 ? mean > 0.7 : mean < 0.3).toBe(true);
    }
    const again = await importImageFolder(path.join(root, 'shapes'), {
      width: 8,
      height: 6,
      grayscale: true,
      seed: 1,
    });
    expect(Array.from(again.y)).toEqual(Array.from(ds.y));
    const rgb = await importImageFolder(path.join(root, 'shapes'), { width: 4, height: 4, grayscale: false });
    expect(rgb.sampleShape).toEqual([4, 4, 3]);
  });

  it('says what is wrong with a folder', async () => {
    await expect(
      importImageFolder(path.join(root, 'one'), { width: 8, height: 8, grayscale: true }),
    ).rejects.toThrow(/one subfolder per class \(at least two\)/);
    const err = await importImageFolder(path.join(root, 'broken'), {
      width: 8,
      height: 8,
      grayscale: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/b[\\/]bad\.png: cannot decode this image/);
  });
});
