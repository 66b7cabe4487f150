/** The shape of a benchmark run's results, shared by the runner, the renderer and the JSON file. */
import type { Machine } from './machine.ts';
import type { BareScan } from './peers/bare-scan.ts';
import type { PeerOutcome, SklearnPeer } from './peers/sklearn.ts';

/**
 * The stages timed, in the order they run. A night that retrains runs the full `features` build and
 * `train`; a night that does not runs `scoring features` (the open deals' only) instead of both.
 */
export const STAGES = [
  'load',
  'features',
  'scoring features',
  'train',
  'score',
  'moves',
  'forecast',
  'report',
] as const;
export type StageName = (typeof STAGES)[number];

// moves after score, as `wuwei run` runs it (pipeline/commands/run.ts)
export const NIGHT_WITH_TRAINING: readonly StageName[] = [
  'load',
  'features',
  'train',
  'score',
  'moves',
  'forecast',
  'report',
];
export const NIGHT_WITHOUT_TRAINING: readonly StageName[] = [
  'load',
  'scoring features',
  'score',
  'moves',
  'forecast',
  'report',
];

/** The `wuwei` command line of each stage (the database and source are added by the runner). */
export const STAGE_COMMANDS: Record<StageName, string[]> = {
  load: ['load'],
  features: ['features'],
  'scoring features': ['features', '--scoring-only'],
  train: ['train'],
  score: ['score'],
  moves: ['moves'],
  forecast: ['forecast'],
  report: ['report'],
};

export interface SizeResult {
  opportunities: number;
  generate: { seconds: number; peakRssMb: number; cached: boolean };
  rows: Record<string, number>;
  /** The stages this run timed (a smoke run may time only some). */
  stages: Partial<Record<StageName, { seconds: number; peakRssMb: number }>>;
  /**
   * The stages the run was asked to time. Absent in rows recorded before it existed (and before
   * moves was timed): a stage missing from such a row was not measured, not left out on purpose.
   */
  stagesTimed?: StageName[];
  backend: string;
  holdoutAuc: number | null;
  peers: {
    bareScan: BareScan;
    cpuBackend:
      | {
          train: { seconds: number; peakRssMb: number };
          score: { seconds: number; peakRssMb: number };
          holdoutAuc: number | null;
        }
      | { skipped: string };
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
