/**
 * Smoke test of `npm run bench` at 10k opportunities, so the benchmark cannot silently break.
 * It asserts the shape and consistency of what is measured, never how fast anything is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBenchmarks } from '../../bench/index.ts';
import { STAGES } from '../../bench/results.ts';
import { ensureDataset } from '../../bench/dataset.ts';
import { tempDir } from '../helpers/temp.ts';

const sklearnInstalled = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas']).status === 0;

describe('npm run bench (10k smoke)', () => {
  it('times every stage and its peers on the same data and writes the table and the raw figures', async () => {
    const { dir, cleanup } = tempDir('wuwei-bench-');
    try {
      const options = { sizes: [10_000], seed: 3, cache: join(dir, 'cache'), markdown: join(dir, 'BENCHMARKS.md'), json: join(dir, 'results.json'), cpuUpTo: 10_000, command: 'npm run bench -- --sizes 10k' };
      process.env.WUWEI_BENCH_ECHO = '0';
      const results = await runBenchmarks(options);

      const [size] = results.sizes;
      expect(size!.opportunities).toBe(10_000);
      for (const stage of STAGES) {
        expect(size!.stages[stage].seconds, stage).toBeGreaterThan(0);
        expect(size!.stages[stage].peakRssMb, stage).toBeGreaterThan(50);
      }
      expect(size!.rows['opportunities']).toBe(10_000);
      // the bare scan reads exactly the rows the load loaded (generated data has no rejects)
      expect(size!.peers.bareScan.rows).toBe(Object.values(size!.rows).reduce((a, b) => a + b, 0));
      expect(size!.backend).toMatch(/^(tensorflow|wasm|cpu)$/);
      expect(size!.holdoutAuc).toBeGreaterThan(0.6);
      expect('skipped' in size!.peers.cpuBackend).toBe(false);

      if (sklearnInstalled) {
        expect(size!.peers.sklearn.ok).toBe(true);
        if (size!.peers.sklearn.ok) {
          expect(size!.peers.sklearn.result.histGradientBoosting.holdoutAuc).toBeGreaterThan(0.6);
          expect(size!.peers.sklearn.result.logisticRegression.holdoutAuc).toBeGreaterThan(0.6);
        }
      } else {
        expect(size!.peers.sklearn).toMatchObject({ ok: false, reason: expect.stringContaining('apt-get install python3-sklearn') });
      }

      const markdown = readFileSync(options.markdown, 'utf8');
      for (const stage of STAGES) expect(markdown).toMatch(new RegExp(`^\\| ${stage} \\| [\\d.]+ s / \\d+ MB \\|$`, 'm'));
      expect(markdown).toContain('DuckDB bare scan');
      expect(JSON.parse(readFileSync(options.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(results)));

      // the next run reuses the generated data instead of generating it again
      const cached = await ensureDataset(options.cache, 10_000, 3);
      expect(cached.generate.cached).toBe(true);
      expect(cached.generate.seconds).toBe(size!.generate.seconds);
    } finally {
      cleanup();
    }
  });
});
