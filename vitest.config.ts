import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The longest test files, longest first (seconds in the last full CI run). Two files run at a time and a
 * long file started last would run alone at the end, so these start first; the rest follow by size.
 */
const LONGEST_FIRST = [
  'test/reports/real-run.test.ts',
  'test/reliability/kill.test.ts',
  'test/reports/site.test.ts',
  'test/reliability/bad-input.test.ts',
  'test/e2e/demo.test.ts',
  'test/features/rebuild-family.test.ts',
  'test/load/vendor-exports.test.ts',
  'test/score/nightly.test.ts',
  'test/features/point-in-time.test.ts',
  'test/reliability/no-personal-data-in-logs.test.ts',
  'test/models/small-export-calibration.test.ts',
  'test/moves/moves.test.ts',
  'test/reliability/site-folder.test.ts',
  'test/forecast/backtest-point-in-time.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const bySize = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(relative(file.project.config.root, file.moduleId));
      return index < 0 ? LONGEST_FIRST.length : index;
    };
    return bySize
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests train real models and build a real site: generous per-test limits, no timing assertions.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Two files at a time on the two cores: most files spend much of their time in one thread (TensorFlow.js
    // on wasm, the CLI's own start, Chromium waiting on a page), so a second file fills the other core.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
