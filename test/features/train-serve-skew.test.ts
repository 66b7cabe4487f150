import { describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { checkTrainServeSkew } from '../../pipeline/features/train-serve-skew.ts';

// Wider than one query's batch of either kind (250 numbers, 500 categories), as a wide export's
// custom columns are: every input must get its own figures, across the batches' edges too.
const NUMBERS = 600;
const CATEGORIES = 1100;
const TRAIN_ROWS = 60;
const SCORE_ROWS = 30;

const number = (j: number, r: number, score: boolean): number | null =>
  (r + j) % 11 === 0 ? null : ((r * (j + 1)) % 7) + (score ? j % 5 : 0);
const category = (j: number, r: number, score: boolean): string | null =>
  (r + j) % 13 === 0 ? null : score ? `L${(r + 2 * j) % 4}` : `L${(r + j) % 3}`;

function rowsOf<T>(count: number, value: (r: number) => T): T[] {
  return Array.from({ length: count }, (_, r) => value(r));
}

/** The figures as train-serve-skew.ts defines them, computed here from the values themselves. */
function expectedNumber(j: number): { smd: number; trainMissing: number; scoreMissing: number } {
  const side = (n: number, score: boolean) => {
    const all = rowsOf(n, (r) => number(j, r, score));
    const values = all.filter((v): v is number => v !== null);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    return { mean, variance, missing: 1 - values.length / n };
  };
  const t = side(TRAIN_ROWS, false);
  const s = side(SCORE_ROWS, true);
  const pooled = Math.sqrt((t.variance + s.variance) / 2);
  const difference = s.mean - t.mean;
  // constant on both sides (j = 6, 13, ..., 251): a different mean is a full shift
  const smd = pooled > 1e-12 ? difference / pooled : Math.abs(difference) > 1e-12 ? Math.sign(difference) * 10 : 0;
  return { smd, trainMissing: t.missing, scoreMissing: s.missing };
}

function expectedPsi(j: number): number {
  const counts = (n: number, score: boolean) => {
    const map = new Map<string | null, number>();
    for (const level of rowsOf(n, (r) => category(j, r, score))) map.set(level, (map.get(level) ?? 0) + 1);
    return map;
  };
  const t = counts(TRAIN_ROWS, false);
  const s = counts(SCORE_ROWS, true);
  let psi = 0;
  for (const level of new Set([...t.keys(), ...s.keys()])) {
    const p = Math.max(t.get(level) ?? 0, 0.5) / TRAIN_ROWS;
    const q = Math.max(s.get(level) ?? 0, 0.5) / SCORE_ROWS;
    psi += (q - p) * Math.log(q / p);
  }
  return psi;
}

describe('train/serve skew on a wide feature table', () => {
  it('gives every input its own figures, in batches of queries', async () => {
    await withDatabase(':memory:', async (conn) => {
      const sql = (value: unknown) => (value === null ? 'NULL' : typeof value === 'string' ? `'${value}'` : value);
      for (const [table, n, score] of [
        ['features_train', TRAIN_ROWS, false],
        ['features_score', SCORE_ROWS, true],
      ] as const) {
        const columns = [
          ...rowsOf(NUMBERS, (j) => `custom_n${j} DOUBLE`),
          ...rowsOf(CATEGORIES, (j) => `custom_c${j} VARCHAR`),
        ];
        await conn.run(`CREATE TABLE ${table} (opportunity_id VARCHAR, as_of DATE, ${columns.join(', ')})`);
        const rows = rowsOf(n, (r) =>
          [
            `'O${r}'`,
            `DATE '2026-06-30'`,
            ...rowsOf(NUMBERS, (j) => sql(number(j, r, score))),
            ...rowsOf(CATEGORIES, (j) => sql(category(j, r, score))),
          ].join(', '),
        );
        await conn.run(`INSERT INTO ${table} VALUES (${rows.join('), (')})`);
      }
      const summary = await checkTrainServeSkew(conn, [], quietLogger);
      expect(summary.inputs).toBe(NUMBERS + CATEGORIES);
      const skew = new Map(
        (
          await queryRows<{ feature: string; smd: number | null; psi: number | null; t: number; s: number }>(
            conn,
            `SELECT feature, smd, psi, train_missing_share AS t, score_missing_share AS s FROM feature_skew`,
          )
        ).map((row) => [row.feature, row]),
      );
      for (const j of [0, 1, 249, 250, 251, 499, 500, 599]) {
        const expected = expectedNumber(j);
        const row = skew.get(`custom_n${j}`)!;
        expect(row.smd).toBeCloseTo(expected.smd, 9);
        expect(row.t).toBeCloseTo(expected.trainMissing, 12);
        expect(row.s).toBeCloseTo(expected.scoreMissing, 12);
      }
      for (const j of [0, 1, 499, 500, 501, 999, 1000, 1099]) {
        expect(skew.get(`custom_c${j}`)!.psi).toBeCloseTo(expectedPsi(j), 9);
      }
    });
  });
});

describe('train/serve skew on absurd values', () => {
  it('leaves a value near the largest double out instead of stopping on it', async () => {
    await withDatabase(':memory:', async (conn) => {
      for (const [table, values] of [
        ['features_train', ['1', '2', '3', '1e308', '-1e308', 'NULL']],
        ['features_score', ['2', '3', '4', '1.7e308']],
      ] as const) {
        await conn.run(`CREATE TABLE ${table} (opportunity_id VARCHAR, as_of DATE, custom_budget DOUBLE)`);
        await conn.run(
          `INSERT INTO ${table} VALUES ${values.map((v, r) => `('O${r}', DATE '2026-06-30', ${v})`).join(', ')}`,
        );
      }
      await checkTrainServeSkew(conn, [], quietLogger);
      const [row] = await queryRows<{ smd: number; t: number; s: number }>(
        conn,
        `SELECT smd, train_missing_share AS t, score_missing_share AS s FROM feature_skew WHERE feature = 'custom_budget'`,
      );
      // 1, 2, 3 against 2, 3, 4: means 2 and 3, variances 2/3 each
      expect(row!.smd).toBeCloseTo(1 / Math.sqrt(2 / 3), 9);
      expect(row!.t).toBeCloseTo(3 / 6, 12);
      expect(row!.s).toBeCloseTo(1 / 4, 12);
    });
  });
});
