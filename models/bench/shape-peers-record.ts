/** Keeps one shape's result of shape-peers.ts in bench/shape-peers.json and re-renders BENCHMARKS.md with it. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readShapePeers, renderBenchmarks, renderShapePeers, SHAPE_PEERS_FILE, type ShapePeers } from '../../bench/render.ts';
import type { BenchResults } from '../../bench/results.ts';

const repo = join(import.meta.dirname, '../..');

export function recordShapePeers(shape: string, opportunities: number, command: string, summary: { openDeals: number; leakyColumnsLeftOut: string[]; wuwei: { holdoutAuc: number | null; openAuc: number }; bestPeer: { name: string; openAuc: number } }): void {
  const previous = readShapePeers(repo);
  const entry = {
    shape,
    opportunities,
    openDeals: summary.openDeals,
    wuweiOpenAuc: summary.wuwei.openAuc,
    wuweiHoldoutAuc: summary.wuwei.holdoutAuc,
    bestPeer: summary.bestPeer.name,
    bestPeerOpenAuc: summary.bestPeer.openAuc,
    leakyColumnsLeftOut: summary.leakyColumnsLeftOut,
  };
  const next = {
    command,
    note:
      'Generated exports with company-specific columns (`--custom-columns`), seed 7; every peer is scikit-learn on Wuwei\'s own rows, split and ' +
      'observation points, given Wuwei\'s features, the raw export columns known at creation, or both. Wuwei reads the custom columns and the ' +
      'contract\'s categorical columns as inputs itself (those filled only at the close left out).',
    shapes: [...(previous?.shapes ?? []).filter((s) => s.shape !== shape), entry].sort((a, b) => a.shape.localeCompare(b.shape)),
  };
  writeFileSync(join(repo, SHAPE_PEERS_FILE), `${JSON.stringify(next, null, 2)}\n`);
  writeShapePeersSection(next);
}

const SECTION_HEADING = '## Wuwei against the best peer, per export shape';

/**
 * Replaces only this section of BENCHMARKS.md (from its heading to the next `## `), so the sections
 * other benchmarks wrote stay as they are; a file without the section is rendered whole.
 */
export function writeShapePeersSection(record: ShapePeers): void {
  const path = join(repo, 'BENCHMARKS.md');
  const current = readFileSync(path, 'utf8');
  const start = current.indexOf(`\n${SECTION_HEADING}`);
  if (start < 0) {
    const results = JSON.parse(readFileSync(join(repo, 'bench/results.json'), 'utf8')) as BenchResults;
    writeFileSync(path, renderBenchmarks(results, record));
    return;
  }
  const end = current.indexOf('\n## ', start + 1);
  const section = renderShapePeers(record).join('\n');
  writeFileSync(path, current.slice(0, start) + section + (end < 0 ? '\n' : `\n${current.slice(end)}`));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Re-writes the section from bench/shape-peers.json: npx tsx models/bench/shape-peers-record.ts
  const record = readShapePeers(repo);
  if (record) writeShapePeersSection(record);
}

