/**
 * BENCHMARKS.md owns every section: rendering the stage run's results keeps the sections other
 * benchmarks recorded in bench/results/, re-recording one section replaces only it, and every target
 * shows met or not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBenchmarks } from '../../bench/render.ts';
import type { BenchResults } from '../../bench/results.ts';
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
    expect(markdown).toMatch(/^\| 100k: nightly run with training ≤ 3 min \| [\d.]+ s \| (yes|no) \|$/m);
    expect(markdown).toMatch(/^\| 1M: nightly run with training ≤ 10 min \| [\d.]+ s \| (yes|no) \|$/m);
    expect(markdown).toMatch(/^\| 1M: report within about 10 s \| [\d.]+ s \| (yes|no) \|$/m);
  });

  it("the repository's BENCHMARKS.md is the render of its recorded results", () => {
    const shapePeers = JSON.parse(readFileSync(join(repo, 'bench/shape-peers.json'), 'utf8'));
    const rendered = renderBenchmarks(results, shapePeers, readSections(join(repo, SECTIONS_DIR)));
    expect(readFileSync(join(repo, 'BENCHMARKS.md'), 'utf8')).toBe(rendered);
  });
});
