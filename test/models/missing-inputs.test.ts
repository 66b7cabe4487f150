/**
 * Scoring with a model trained on an export column (`custom_*`) that tonight's export no longer has
 * (a CRM field removed or renamed): before, the night stopped with "table features_score lacks
 * column(s) custom_...", and no deal was scored. The column now reads as missing on every deal (as an
 * empty value does), named in `missingInputs` for the warning; a catalog feature missing is still drift
 * between the stages, and an error.
 */
import { describe, expect, it } from 'vitest';
import { withDatabase } from '../../pipeline/base/db.ts';
import { readObservations } from '../../models/win/data.ts';

describe('scoring rows without an export column the model knows', () => {
  it('reads the column as missing and names it', async () => {
    await withDatabase(':memory:', async (conn) => {
      await conn.run(`CREATE TABLE features_score AS SELECT * FROM (VALUES
        ('O1', DATE '2026-06-30', 0.4, 1000.0, 3.0, 'enterprise'),
        ('O2', DATE '2026-06-30', 0.6, 2000.0, 5.0, 'smb')
      ) AS t(opportunity_id, as_of, stage_probability, amount, pbm_similar_deals, segment)`);
      const observations = await readObservations(conn, 'features_score', {
        numeric: ['pbm_similar_deals', 'custom_budget'],
        categorical: ['segment', 'custom_tender'],
      });
      expect(observations.missingInputs).toEqual(['custom_budget', 'custom_tender']);
      expect([...observations.features[0]!]).toEqual([3, 5]);
      expect([...observations.features[1]!].every(Number.isNaN)).toBe(true);
      expect(observations.categories).toEqual([
        ['enterprise', 'smb'],
        [null, null],
      ]);

      const complete = await readObservations(conn, 'features_score', {
        numeric: ['pbm_similar_deals'],
        categorical: ['segment'],
      });
      expect(complete.missingInputs).toBeUndefined();
      await expect(
        readObservations(conn, 'features_score', { numeric: ['pbm_similar_win_rate'], categorical: [] }),
      ).rejects.toThrow(/table features_score lacks column\(s\) pbm_similar_win_rate/);
    });
  });
});
