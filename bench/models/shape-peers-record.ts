/** Keeps one shape's result of shape-peers.ts in bench/shape-peers.json and re-renders BENCHMARKS.md with it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readShapePeers, SHAPE_PEERS_FILE, writeBenchmarks } from '../render.ts';

const repo = join(import.meta.dirname, '../..');

export function recordShapePeers(
  shape: string,
  opportunities: number,
  command: string,
  summary: {
    openDeals: number;
    leakyColumnsLeftOut: string[];
    wuwei: { holdoutAuc: number | null; openAuc: number };
    bestPeer: { name: string; openAuc: number };
  },
): void {
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
      "Generated exports with company-specific columns (`--custom-columns`), seed 7; every peer is scikit-learn on Wuwei's own rows, split and " +
      "observation points, given Wuwei's features, the raw export columns known at creation, or both. Wuwei reads the custom columns and the " +
      "contract's categorical columns as inputs itself (those filled only at the close left out).",
    shapes: [...(previous?.shapes ?? []).filter((s) => s.shape !== shape), entry].sort((a, b) =>
      a.shape.localeCompare(b.shape),
    ),
  };
  writeFileSync(join(repo, SHAPE_PEERS_FILE), `${JSON.stringify(next, null, 2)}\n`);
  writeBenchmarks(repo);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Re-renders BENCHMARKS.md from bench/shape-peers.json: npx tsx bench/models/shape-peers-record.ts
  writeBenchmarks(repo);
}
