import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import { formatRuns, listRuns, runPipeline } from '../../pipeline/commands/run.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const REQUIRED_SCORE_COLUMNS = [
  'opportunity_id',
  'win_probability',
  'score',
  'grade',
  'trend',
  'expected_amount',
  'predicted_close_date',
  'expected_close_date',
  'slip_risk',
  'top_positive_factors',
  'top_negative_factors',
  'model_version',
  'scored_at',
];
const REQUIRED_FORECAST_COLUMNS = [
  'period_start',
  'period_end',
  'segment_type',
  'segment',
  'won_to_date',
  'expected',
  'p10',
  'p50',
  'p90',
  'weighted_pipeline',
];

describe('the nightly run', () => {
  const tmp = tempDir();
  const paths = runPaths(join(tmp.dir, 'data', 'wuwei.duckdb'));
  let source = '';
  beforeAll(async () => {
    source = await smallExport(tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  /** One night's scores (all but the wall-clock scored_at) and forecast, as text rows. */
  async function night(): Promise<{ scores: string[]; forecast: string[] }> {
    return withDatabase(paths.db, async (conn) => {
      const scores = await queryRows<{ row: string }>(
        conn,
        `SELECT s::VARCHAR AS row FROM (SELECT * EXCLUDE (scored_at) FROM scores) AS s ORDER BY s.as_of, s.opportunity_id`,
      );
      const forecast = await queryRows<{ row: string }>(
        conn,
        `SELECT f::VARCHAR AS row FROM forecasts AS f ORDER BY ALL`,
      );
      return { scores: scores.map((r) => r.row), forecast: forecast.map((r) => r.row) };
    });
  }

  it('run twice on the same night gives identical scores and forecast, and retrains only when due', async () => {
    const first = await runPipeline(paths, { source, report: false, log: quietLogger });
    expect(first.retrain).toMatchObject({ due: true, reason: 'no trained model yet' });
    const before = await night();
    expect(before.scores.length).toBeGreaterThan(50);
    expect(before.forecast.length).toBeGreaterThan(10);

    const second = await runPipeline(paths, { source, report: false, log: quietLogger });
    expect(second.retrain?.due).toBe(false);
    // a night without retraining builds only the open deals' features, and scores exactly the same
    expect((first.stages['features']!.summary as { training: boolean }).training).toBe(true);
    expect((second.stages['features']!.summary as { training: boolean }).training).toBe(false);
    expect(second.modelVersion).toBe(first.modelVersion);
    expect(await night()).toEqual(before);

    const forced = await runPipeline(paths, { source, report: false, retrain: true, log: quietLogger });
    expect(forced.retrain).toMatchObject({ due: true, reason: 'requested (--retrain)' });
    expect(forced.stages['train']).toBeDefined();
  });

  it('writes scores.csv and forecast.csv with the required columns', () => {
    const header = (file: string) => readFileSync(join(paths.out, file), 'utf8').split('\n')[0]!.split(',');
    expect(header('scores.csv')).toEqual(expect.arrayContaining(REQUIRED_SCORE_COLUMNS));
    expect(header('forecast.csv')).toEqual(expect.arrayContaining(REQUIRED_FORECAST_COLUMNS));
    const forecast = readFileSync(join(paths.out, 'forecast.csv'), 'utf8');
    expect(forecast).toMatch(/\nall,all|,all,all,/);
  });

  it('keeps a run record with fingerprints, counts and outcome, also when a run fails', async () => {
    await expect(
      runPipeline(paths, { source: join(tmp.dir, 'missing'), report: false, log: quietLogger }),
    ).rejects.toThrow(/no such folder or file/);
    const runs = listRuns(paths.runs);
    expect(runs.map((r) => r.outcome)).toEqual(['failed', 'succeeded', 'succeeded', 'succeeded']);
    expect(runs[0]!.error).toMatch(/^load: /);
    expect(runs.slice(1).map((r) => r.trained)).toEqual([true, false, true]);
    const record = JSON.parse(readFileSync(runs[1]!.recordFile, 'utf8'));
    expect(record.inputs.find((i: { file: string }) => i.file.endsWith('opportunities.csv')).sha256).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(record.rowCounts.opportunities).toBe(1200);
    expect(Object.keys(record.stages)).toEqual(['load', 'features', 'train', 'score', 'moves', 'forecast']);
    const table = formatRuns(runs);
    expect(table.split('\n')[0]).toMatch(/^started \(UTC\)\s+outcome\s+as of/);
    expect(table).toContain('failed');
  });
});
