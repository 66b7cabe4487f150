/** The shape of a benchmark run's results, shared by the runner, the renderer and the JSON file. */
import type { Machine } from './machine.ts';
import type { BareScan } from './peers/bare-scan.ts';
import type { PeerOutcome, SklearnPeer } from './peers/sklearn.ts';

/** The nightly stages in order; `train` is the one a night without retraining skips. */
export const STAGES = ['load', 'features', 'train', 'score', 'forecast', 'report'] as const;
export type StageName = (typeof STAGES)[number];

export interface SizeResult {
  opportunities: number;
  generate: { seconds: number; peakRssMb: number; cached: boolean };
  rows: Record<string, number>;
  stages: Record<StageName, { seconds: number; peakRssMb: number }>;
  backend: string;
  holdoutAuc: number | null;
  peers: {
    bareScan: BareScan;
    cpuBackend: { train: { seconds: number; peakRssMb: number }; score: { seconds: number; peakRssMb: number }; holdoutAuc: number | null } | { skipped: string };
    sklearn: PeerOutcome<SklearnPeer>;
  };
}

export interface BenchResults {
  command: string;
  startedAt: string;
  machine: Machine;
  seed: number;
  sizes: SizeResult[];
}

