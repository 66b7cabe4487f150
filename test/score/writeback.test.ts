import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import {
  exportScores,
  GENERIC_COLUMNS,
  WRITEBACK_FORMATS,
  writeBack,
  writebackFile,
} from '../../pipeline/score/writeback.ts';
import { tempDir } from '../helpers/temp.ts';

const AS_OF = '2026-06-30';

/** The documented columns of each file, read from the committed docs/writeback.md (not from the code). */
function documentedColumns(): Map<string, string[]> {
  const doc = readFileSync(new URL('../../docs/writeback.md', import.meta.url), 'utf8');
  const files = new Map<string, string[]>();
  for (const section of doc.split('\n## ').slice(1)) {
    const names = [...section.matchAll(/^File: `([^`]+)`/gm)].map((m) => m[1]!);
    const columns = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
    for (const name of names[0]!
      .split(/ and |\s*\(/)
      .map((part) => part.trim())
      .filter((part) => /\.(csv|parquet)$/.test(part)))
      files.set(name, columns);
  }
  return files;
}

describe('write-back files', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('match the columns docs/writeback.md documents for them, with one row per scored deal', async () => {
    const documented = documentedColumns();
    expect([...documented.keys()].sort()).toEqual([
      'dynamics_msdyn_predictivescore.csv',
      'hubspot_deal_scores.csv',
      'salesforce_opportunity_scores.csv',
      'scores.csv',
      'scores.parquet',
    ]);
    await withDatabase(':memory:', async (conn) => {
      await conn.run(`
        CREATE TABLE scores AS SELECT * FROM (VALUES
          ('O1', DATE '${AS_OF}', 'A1', 'U1', 'Proposal', 0.6, 1000.0, DATE '2026-07-15', 0.8123, 81, 'v1', TIMESTAMP '2026-07-01 02:00:00',
           'A', 'improving', 70, 900.0, DATE '2026-07-20', 30.0, 0.5, 0.25, 'Champion strength (+4.0 pts)', 'Single-threaded (−3.0 pts)', 'model', 'model', 'model'),
          ('O2', DATE '${AS_OF}', 'A2', 'U2', 'Discovery', 0.4, 500.0, NULL, 0.1, 10, 'v1', TIMESTAMP '2026-07-01 02:00:00',
           'D', 'new', NULL, 500.0, DATE '2026-09-01', 60.0, 0.9, NULL, '', '', 'model', 'rep_amount_realized', 'rep_close_date'),
          ('O3', DATE '2026-06-29', 'A2', 'U2', 'Discovery', 0.4, 500.0, NULL, 0.1, 10, 'v0', TIMESTAMP '2026-06-30 02:00:00',
           'D', 'new', NULL, 500.0, DATE '2026-09-01', 60.0, 0.9, NULL, '', '', 'model', 'rep_amount_realized', 'rep_close_date')
        ) AS t(opportunity_id, as_of, account_id, owner_id, stage, stage_probability, amount, expected_close_date, win_probability, score,
               model_version, scored_at, grade, trend, previous_score, expected_amount, predicted_close_date, close_median_days, close_log_sigma,
               slip_risk, top_positive_factors, top_negative_factors, prediction_source, amount_source, timing_source)`);
      await exportScores(conn, AS_OF, GENERIC_COLUMNS, join(tmp.dir, 'scores.csv'));
      const { files } = await writeBack(conn, {
        asOf: AS_OF,
        formats: WRITEBACK_FORMATS,
        outDir: tmp.dir,
        log: quietLogger,
      });
      expect(files.map((f) => f.slice(tmp.dir.length + 1)).sort()).toEqual(WRITEBACK_FORMATS.map(writebackFile).sort());

      for (const [file, columns] of documented) {
        const path = join(tmp.dir, file);
        const reader = file.endsWith('.parquet') ? `read_parquet('${path}')` : `read_csv('${path}', header = true)`;
        const header = (await queryRows<{ column_name: string }>(conn, `DESCRIBE SELECT * FROM ${reader}`)).map(
          (r) => r.column_name,
        );
        expect(header, file).toEqual(columns);
        const [count] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${reader}`);
        expect(count!.n, file).toBe(2);
      }

      // Dynamics option values and the Salesforce percent fields carry the documented encodings.
      const dynamics = await queryRows<Record<string, unknown>>(
        conn,
        `SELECT * FROM read_csv('${join(tmp.dir, 'dynamics_msdyn_predictivescore.csv')}', header = true, all_varchar = true) ORDER BY 1`,
      );
      expect(
        dynamics.map((r) => [r['msdyn_entityid'], r['msdyn_grade'], r['msdyn_scoretrend'], r['msdyn_entitytype']]),
      ).toEqual([
        ['O1', '0', '0', 'opportunity'],
        ['O2', '3', '3', 'opportunity'],
      ]);
      const salesforce = await queryRows<Record<string, unknown>>(
        conn,
        `SELECT * FROM read_csv('${join(tmp.dir, 'salesforce_opportunity_scores.csv')}', header = true, all_varchar = true) ORDER BY 1`,
      );
      expect(salesforce[0]).toMatchObject({ Id: 'O1', Wuwei_Score__c: '81', Wuwei_Grade__c: 'A' });
      expect([
        Number(salesforce[0]!['Wuwei_Win_Probability__c']),
        Number(salesforce[0]!['Wuwei_Slip_Risk__c']),
      ]).toEqual([81.23, 25]);
    });
  });
});
