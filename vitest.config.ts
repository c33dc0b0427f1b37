import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The slowest files first (measured in CI: each runs 40-110 s), so both workers start on them and
 * the quick files fill in behind; on a clean clone there is no duration cache to order them by, and
 * a slow file started last made the run a minute or two longer than it had to be.
 */
const SLOW_FIRST = [
  'test/unit/training/acceptance.test.ts',
  'test/unit/trust/invariant.property.test.ts',
  'test/unit/trust/weights-cli.test.ts',
  'test/unit/acceptance.test.ts',
  'test/unit/cli-train.test.ts',
  'test/unit/export/pytorch.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    sequence: { sequencer: SlowFirst },
  },
});
