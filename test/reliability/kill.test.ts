/**
 * Crashes lose nothing: a nightly run is killed with SIGKILL (with every process it started) at a
 * random point inside each of its stages in turn. The kills are chained: each killed run starts on
 * what the previous kill left, so it must first pass the stages before its kill point; after each
 * kill the database holds what it held and the published scores and site are the previous night's,
 * whole and readable. After the last kill the next run completes with the same scores as a run that
 * was never interrupted.
 *
 * WUWEI_KILL_ROUNDS=N repeats the chain N times (default 1; the closing figures used more) and
 * WUWEI_KILL_SEED picks the kill points.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { Random } from '../../pipeline/base/random.ts';
import { startWuwei, wuwei } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const ROUNDS = Number(process.env.WUWEI_KILL_ROUNDS ?? 1);
const SEED = Number(process.env.WUWEI_KILL_SEED ?? 20261123);
const CHECKED_TABLES = ['opportunities', 'activities', 'features_score', 'scores'];

interface Published {
  scoresCsv: string;
  siteFiles: string[];
  tableCounts: Record<string, number>;
}

describe('SIGKILL at random points in every stage of the nightly run', () => {
  const tmp = tempDir('wuwei-kill-');
  const source = join(tmp.dir, 'export');
  const victim = join(tmp.dir, 'victim', 'wuwei.duckdb');
  let referenceScores: Map<string, number>;
  let stageWindows: { stage: string; from: number; to: number }[];

  beforeAll(async () => {
    expect((await wuwei(['generate', '--out', source, '--opportunities', '1500', '--seed', '11'])).code).toBe(0);
    // the first night trains and publishes
    expect((await wuwei(['run', '--source', source, '--db', victim])).code).toBe(0);
    // The second night is what every killed night would be (same export, the model already trained):
    // its scores are the uninterrupted run's and its record gives the stages' windows to kill in.
    const spawnedAt = Date.now();
    const second = await wuwei(['run', '--source', source, '--db', victim]);
    expect(second.stderr).not.toMatch(/unexpected failure/);
    expect(second.code).toBe(0);
    referenceScores = readScores(join(tmp.dir, 'victim', 'out', 'scores.csv'));
    stageWindows = stageTimeline(join(tmp.dir, 'victim', 'runs'), spawnedAt);
  });
  afterAll(() => tmp.cleanup());

  it('keeps the database, the published scores and the site, and the next run recovers', async () => {
    const before = await published();
    expect(before.siteFiles).toContain('index.html');
    const random = new Random(SEED);
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const window of stageWindows) {
        const killAt = window.from + random.next() * (window.to - window.from);
        const run = startWuwei(['run', '--source', source, '--db', victim]);
        await new Promise((resolve) => setTimeout(resolve, killAt));
        run.killHard();
        const code = await run.exited;
        // Killed (no exit code) or, on a faster machine than the reference run's, finished: never failed on
        // its own, which would mean an earlier kill left something that stops the stages before this one.
        expect(
          code === null || code === 0,
          `run killed in ${window.stage} at ${killAt.toFixed(0)} ms exited with ${code}`,
        ).toBe(true);
        kills += code === null ? 1 : 0;

        const after = await published();
        expect(after.tableCounts, `tables after a kill in ${window.stage} at ${killAt.toFixed(0)} ms`).toEqual(
          before.tableCounts,
        );
        expect(after.scoresCsv, `scores.csv after a kill in ${window.stage}`).toBe(before.scoresCsv);
        expect(after.siteFiles, `site after a kill in ${window.stage}`).toEqual(before.siteFiles);
      }
    }
    const recovery = await wuwei(['run', '--source', source, '--db', victim]);
    expect(recovery.stderr, 'run after the kills').not.toMatch(/unexpected failure|another wuwei run/);
    expect(recovery.code).toBe(0);
    expect(readScores(join(tmp.dir, 'victim', 'out', 'scores.csv'))).toEqual(referenceScores);
    // most kills must land inside a run, not after it ended
    expect(kills).toBeGreaterThanOrEqual(Math.ceil(stageWindows.length * ROUNDS * 0.8));
    console.log(
      `killed ${kills} chained runs in ${stageWindows.length} stages; the next run recovered with the uninterrupted run's scores`,
    );
  });

  /** What readers see: scores.csv without its run-specific columns, the site's files, and table sizes. */
  async function published(): Promise<Published> {
    const dir = join(tmp.dir, 'victim');
    const tableCounts = await withDatabase(victim, async (conn) => {
      await conn.run('CHECKPOINT');
      const counts: Record<string, number> = {};
      for (const table of CHECKED_TABLES)
        counts[table] = (await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${table}`))[0]!.n;
      return counts;
    });
    return {
      scoresCsv: stableCsv(join(dir, 'out', 'scores.csv')),
      siteFiles: siteShape(join(dir, 'site')),
      tableCounts,
    };
  }
});

/** Each stage's window in ms after the process was spawned, from the reference run's record. */
function stageTimeline(runsDir: string, spawnedAt: number): { stage: string; from: number; to: number }[] {
  const file = readdirSync(runsDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .at(-1); // the newest night
  const record = JSON.parse(readFileSync(join(runsDir, file!), 'utf8')) as {
    startedAt: string;
    stages: Record<string, { seconds: number }>;
  };
  let at = Date.parse(record.startedAt) - spawnedAt;
  return Object.entries(record.stages).map(([stage, { seconds }]) => {
    const window = { stage, from: at, to: at + seconds * 1000 };
    at = window.to;
    return window;
  });
}

function readScores(csv: string): Map<string, number> {
  const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const id = columns.indexOf('opportunity_id');
  const probability = columns.indexOf('win_probability');
  return new Map(rows.map((row) => row.split(',')).map((cells) => [cells[id]!, Number(cells[probability])]));
}

/** scores.csv without model_version and scored_at, which differ between two runs of the same night. */
function stableCsv(csv: string): string {
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  const columns = lines[0]!.split(',');
  const keep = columns.map((name, i) => (['model_version', 'scored_at'].includes(name) ? -1 : i)).filter((i) => i >= 0);
  return lines.map((line) => keep.map((i) => line.split(',')[i]).join(',')).join('\n');
}

/**
 * The site's files with Framework's content hashes taken out of their names (a page's data file is
 * renamed whenever its content, e.g. the model version, changes), each checked to be non-empty.
 */
function siteShape(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = join(entry.parentPath, entry.name);
      expect(statSync(file).size, file).toBeGreaterThan(0);
      return relative(dir, file).replace(/\.[0-9a-f]{8}\.(\w+)$/, '.$1');
    })
    .sort();
}
