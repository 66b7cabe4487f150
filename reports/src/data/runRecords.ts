/**
 * The nightly run records (`runs/*.json` beside the database, written by pipeline/commands/run.ts), newest
 * last. The report is built inside a run, so tonight's record is written after it: the page shows
 * the runs before this one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunHistoryEntry } from '../components/types.ts';

const MAX_RUNS = 30;

export function runsFolder(dbPath: string): string {
  return process.env['WUWEI_RUNS'] || join(dirname(dbPath), 'runs');
}

export function readRunHistory(folder: string): RunHistoryEntry[] {
  if (!existsSync(folder)) return [];
  const files = readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .slice(-MAX_RUNS);
  const runs: RunHistoryEntry[] = [];
  for (const file of files) {
    try {
      const record = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
        startedAt?: string;
        outcome?: string;
        stages?: Record<
          string,
          { seconds?: number; summary?: { entities?: Record<string, { loaded?: number; rejected?: number }> } }
        >;
      };
      if (!record.startedAt) continue;
      const stages = Object.entries(record.stages ?? {}).map(([stage, entry]) => ({
        stage,
        seconds: Number(entry.seconds ?? 0),
      }));
      const entities = Object.values(record.stages?.['load']?.summary?.entities ?? {});
      runs.push({
        startedAt: record.startedAt,
        outcome: record.outcome ?? 'unknown',
        stages,
        loaded: entities.length ? entities.reduce((sum, e) => sum + (e.loaded ?? 0), 0) : null,
        rejected: entities.length ? entities.reduce((sum, e) => sum + (e.rejected ?? 0), 0) : null,
      });
    } catch {
      // A record cut short by a crash is skipped, not fatal: the page lists the readable ones.
    }
  }
  return runs;
}
