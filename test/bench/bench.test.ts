/**
 * Smoke test of `npm run bench` on a small export, so the benchmark cannot silently break: every stage
 * row is written, valid and consistent with the load, and the recorded sections of other benchmarks
 * survive the render. It asserts the shape of what is measured, never how fast anything is. The peers
 * that only cost time (tfjs cpu backend, scikit-learn) are skipped here; test/bench/render.test.ts
 * covers their rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDataset } from '../../bench/dataset.ts';
import { runBenchmarks } from '../../bench/index.ts';
import { STAGES } from '../../bench/results.ts';
import { writeSection } from '../../bench/sections.ts';
import { tempDir } from '../helpers/temp.ts';

const OPPORTUNITIES = 2_000;
/** The stages the smoke times: a trained model and its holdout AUC, and the moves it prices; the rest render "not run". */
const TIMED = ['load', 'features', 'train', 'score', 'moves'] as const;

describe('npm run bench (small smoke)', () => {
  it('times every stage on generated data and writes valid rows, the raw figures and the other sections', async () => {
    const { dir, cleanup } = tempDir('wuwei-bench-');
    try {
      const sectionsDir = join(dir, 'sections');
      writeSection(sectionsDir, 'cli-start', {
        title: 'CLI start',
        order: 10,
        recordedAt: '2026-12-02',
        command: 'x',
        targets: [{ target: 'CLI start: help within 1 s', measured: '0.3 s CPU', met: true }],
        markdown: 'the recorded CLI table',
      });
      const options = {
        sizes: [OPPORTUNITIES],
        seed: 3,
        cache: join(dir, 'cache'),
        markdown: join(dir, 'BENCHMARKS.md'),
        json: join(dir, 'results.json'),
        cpuUpTo: 0,
        skipSklearn: true,
        stages: TIMED,
        sectionsDir,
        command: 'npm run bench -- --sizes 2k',
      };
      process.env.WUWEI_BENCH_ECHO = '0';
      const results = await runBenchmarks(options);

      const [size] = results.sizes;
      expect(size!.opportunities).toBe(OPPORTUNITIES);
      expect(Object.keys(size!.stages)).toEqual([...TIMED]);
      expect(size!.stagesTimed).toEqual([...TIMED]);
      for (const stage of TIMED) {
        expect(size!.stages[stage]!.seconds, stage).toBeGreaterThan(0);
        expect(size!.stages[stage]!.peakRssMb, stage).toBeGreaterThan(50);
      }
      expect(size!.rows['opportunities']).toBe(OPPORTUNITIES);
      // the bare scan reads exactly the rows the load loaded (generated data has no rejects)
      expect(size!.peers.bareScan.rows).toBe(Object.values(size!.rows).reduce((a, b) => a + b, 0));
      expect(size!.backend).toMatch(/^(tensorflow|wasm|cpu)$/);
      expect(size!.holdoutAuc).toBeGreaterThan(0.6);
      expect(size!.peers.cpuBackend).toEqual({ skipped: expect.stringContaining('--cpu-up-to') });

      const markdown = readFileSync(options.markdown, 'utf8');
      for (const stage of STAGES) {
        const cell = (TIMED as readonly string[]).includes(stage) ? '[\\d.]+ s / \\d+ MB' : 'not run / not run';
        expect(markdown).toMatch(new RegExp(`^\\| ${stage} \\| ${cell} \\|$`, 'm'));
      }
      expect(markdown).toMatch(/^\| `wuwei load` \/ bare scan \| [\d.]+× \|$/m);
      expect(markdown).toContain('| 2k: report within about 10 s | not run | not run |');
      // a night with a stage this run did not time has no total, rather than a total of fewer stages
      expect(markdown).toContain('| **nightly run with training** | **not run** / ');
      expect(markdown).toContain('DuckDB bare scan');
      expect(markdown).toContain('## CLI start');
      expect(markdown).toContain('the recorded CLI table');
      expect(markdown).toContain('| CLI start: help within 1 s | 0.3 s CPU | yes |');
      expect(JSON.parse(readFileSync(options.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(results)));

      // the next run reuses the generated data instead of generating it again
      const cached = await ensureDataset(options.cache, OPPORTUNITIES, 3);
      expect(cached.generate.cached).toBe(true);
      expect(cached.generate.seconds).toBe(size!.generate.seconds);
    } finally {
      cleanup();
    }
  });
});
