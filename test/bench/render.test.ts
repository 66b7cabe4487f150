/**
 * BENCHMARKS.md owns every section: rendering the stage run's results keeps the sections other
 * benchmarks recorded in bench/results/, re-recording one section replaces only it, and every target
 * shows met or not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBenchmarks } from '../../bench/render.ts';
import { STAGES, type BenchResults } from '../../bench/results.ts';
import { readSections, SECTIONS_DIR, writeSection, type RecordedSection } from '../../bench/sections.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = join(import.meta.dirname, '../..');
const results = JSON.parse(readFileSync(join(repo, 'bench/results.json'), 'utf8')) as BenchResults;

const section = (title: string, order: number, body: string, met: boolean | null): RecordedSection => ({
  title,
  order,
  recordedAt: '2026-12-02T02:00:00Z',
  command: '`npx tsx bench/x.ts`',
  targets: [{ target: `${title}: a target`, measured: '1 s', met }],
  markdown: body,
});

describe('BENCHMARKS.md sections', () => {
  it('keeps every recorded section, in order, and re-recording one replaces only it', () => {
    const { dir, cleanup } = tempDir('wuwei-sections-');
    try {
      writeSection(dir, 'throughput', section('Scoring throughput', 20, 'throughput body v1', true));
      writeSection(dir, 'cli-start', section('CLI start', 10, 'cli body', false));
      writeSection(dir, 'forecast', section('Forecast accuracy', 30, 'forecast body', null));
      writeSection(dir, 'throughput', section('Scoring throughput', 20, 'throughput body v2', true));

      const markdown = renderBenchmarks(results, null, readSections(dir));
      const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
      expect(headings).toEqual([
        '## Stages',
        '## Targets',
        '## Peers, same data, same run',
        '## Growth',
        '## CLI start',
        '## Scoring throughput',
        '## Forecast accuracy',
      ]);
      expect(markdown).toContain('throughput body v2');
      expect(markdown).not.toContain('throughput body v1');
      expect(markdown).toContain('Recorded 2026-12-02; reproduce: `npx tsx bench/x.ts`.');
      expect(markdown).toContain('| CLI start: a target | 1 s | no |');
      expect(markdown).toContain('| Scoring throughput: a target | 1 s | yes |');
      expect(markdown).toContain('| Forecast accuracy: a target | 1 s | not measured |');
    } finally {
      cleanup();
    }
  });

  it("marks the issue's stage targets met or not from the stage run", () => {
    const markdown = renderBenchmarks(results, null, []);
    const hundredK = results.sizes.find((size) => size.opportunities === 100_000)!;
    const over = hundredK.stages.load!.seconds / hundredK.peers.bareScan.seconds;
    expect(markdown).toContain(`| 100k: \`wuwei load\` ≤ 2× DuckDB's bare scan | ${over.toFixed(1)}× `);
    expect(markdown).toMatch(
      new RegExp(`\\| 100k: \`wuwei load\` ≤ 2× DuckDB's bare scan \\| [^|]+ \\| ${over <= 2 ? 'yes' : 'no'} \\|`),
    );
    // rows recorded before moves was timed say so beside the total
    const total = '[\\d.]+ s( \\(lacks moves: not measured\\))?';
    expect(markdown).toMatch(
      new RegExp(`^\\| 100k: nightly run with training ≤ 3 min \\| ${total} \\| (yes|no|not measured) \\|$`, 'm'),
    );
    expect(markdown).toMatch(
      new RegExp(`^\\| 1M: nightly run with training ≤ 10 min \\| ${total} \\| (yes|no|not measured) \\|$`, 'm'),
    );
    expect(markdown).toMatch(/^\| 1M: report within about 10 s \| [\d.]+ s \| (yes|no) \|$/m);
  });

  it('counts moves in both nights, and a size recorded before moves was timed says its total lacks it', () => {
    const stage = (seconds: number) => ({ seconds, peakRssMb: 100 });
    const stages = {
      load: stage(10),
      features: stage(60),
      'scoring features': stage(5),
      train: stage(70),
      score: stage(5),
      forecast: stage(3),
      report: stage(12),
    };
    const [small, large] = [...results.sizes].sort((a, b) => a.opportunities - b.opportunities);
    // before moves was benchmarked: no moves cell and no record of which stages were timed
    const before = { ...small!, opportunities: 10_000, stages, stagesTimed: undefined };
    const after = {
      ...large!,
      opportunities: 100_000,
      stages: { ...stages, moves: stage(25) },
      stagesTimed: [...STAGES],
    };
    // a smoke run that chose not to time moves: "not run", not "not measured"
    const smoke = { ...large!, opportunities: 200_000, stages, stagesTimed: STAGES.filter((s) => s !== 'moves') };
    const markdown = renderBenchmarks({ ...results, sizes: [before, after, smoke] }, null, []);

    expect(markdown).toContain('| moves | not measured | 25.0 s / 100 MB | not run / not run |');
    // 10 + 60 + 70 + 5 + 3 + 12 = 160 without moves; 185 with them
    expect(markdown).toContain(
      '| **nightly run with training** | **160 s** (lacks moves: not measured) / 100 MB | **185 s** / 100 MB | **not run** / not run |',
    );
    // 10 + 5 + 5 + 3 + 12 = 35 without moves; 60 with them
    expect(markdown).toContain(
      '| **nightly run without training** | **35.0 s** (lacks moves: not measured) / 100 MB | **60.0 s** / 100 MB |',
    );
    expect(markdown).toContain('| 100k: nightly run with training ≤ 3 min | 185 s | no |');
    expect(markdown).toMatch(/^\| moves \| not measured \| not run \|$/m);

    // a total without moves that is already within the target cannot claim it
    const older = renderBenchmarks({ ...results, sizes: [{ ...before, opportunities: 100_000 }] }, null, []);
    expect(older).toContain(
      '| 100k: nightly run with training ≤ 3 min | 160 s (lacks moves: not measured) | not measured |',
    );
  });

  it("the repository's BENCHMARKS.md is the render of its recorded results", () => {
    const shapePeers = JSON.parse(readFileSync(join(repo, 'bench/shape-peers.json'), 'utf8'));
    const rendered = renderBenchmarks(results, shapePeers, readSections(join(repo, SECTIONS_DIR)));
    expect(readFileSync(join(repo, 'BENCHMARKS.md'), 'utf8')).toBe(rendered);
  });
});
