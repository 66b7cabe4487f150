/**
 * The generator's oracle, ground_truth.csv's `true_win_probability`, is the judge of every model and
 * forecast: among the deals open at the cut it must be calibrated at every size. At 100k it read
 * ECE 0.20 because DuckDB types a CSV column from a sample of its first rows (20,480 by default):
 * the first rows are the oldest deals, all closed at the cut with probability 0 or 1, so the column
 * was typed BIGINT and the open deals' probabilities were rounded to 0 or 1. The test reads the
 * file with the sample cut to the same share of the file as at 100k (about a fifth), at two sizes.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { expectedCalibrationError } from '../../models/index.ts';
import { tempDir } from '../helpers/temp.ts';

const SIZES = [5_000, 20_000];

describe('the oracle true_win_probability', () => {
  const tmp = tempDir();
  beforeAll(async () => {
    for (const size of SIZES) {
      await generate({
        out: join(tmp.dir, String(size)),
        opportunities: size,
        seed: 3,
        asOf: '2026-06-30',
        start: '2024-01-01',
        log: quietLogger,
      });
    }
  });
  afterAll(() => tmp.cleanup());

  it.each(SIZES)(
    'is calibrated on the deals open at the cut, %i opportunities, read as a sniffing reader reads it',
    async (size) => {
      const file = join(tmp.dir, String(size), 'ground_truth.csv');
      const reader = `read_csv('${file}', sample_size = ${Math.round(size / 5)})`;
      await withDatabase(':memory:', async (conn) => {
        const [type] = await queryRows<{ column_type: string }>(
          conn,
          `SELECT column_type FROM (DESCRIBE SELECT * FROM ${reader}) WHERE column_name = 'true_win_probability'`,
        );
        expect(type!.column_type).toBe('DOUBLE');
        const rows = await queryRows<{ p: number; won: number }>(
          conn,
          `SELECT true_win_probability::DOUBLE AS p, (final_outcome = 'won')::INTEGER AS won FROM ${reader} WHERE open_at_cut`,
        );
        const p = rows.map((r) => r.p);
        const won = rows.map((r) => r.won);
        // Sum of probabilities against wins: within 3 binomial standard deviations.
        const expected = p.reduce((a, b) => a + b, 0);
        const sd = Math.sqrt(p.reduce((a, b) => a + b * (1 - b), 0));
        expect(Math.abs(won.reduce((a, b) => a + b, 0) - expected)).toBeLessThan(3 * sd);
        // Ten-bin ECE: the rounded column read 0.20; sampling noise alone is about 0.03 at 370 deals.
        expect(expectedCalibrationError(p, won)).toBeLessThan(size >= 20_000 ? 0.04 : 0.07);
        // An open deal's outcome is not yet known: certainty only where the odds round to 0 at six decimals.
        expect(rows.filter((r) => r.p === 1).length).toBe(0);
      });
    },
    60_000,
  );
});
