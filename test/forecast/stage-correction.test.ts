import { describe, expect, it } from 'vitest';
import { withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { DEFAULT_CLOSING_STAGES } from '../../pipeline/forecast/deal-facts.ts';
import {
  ALL_STAGES,
  applyStageCorrection,
  correctionFromPast,
  correctionFromScores,
  FACTOR_RANGE,
  pickNights,
  PRIOR_WINS,
  shrunkFactor,
  type PastScore,
  type StageCorrection,
} from '../../pipeline/forecast/stage-correction.ts';

const AS_OF = '2026-05-15';

/**
 * Deals scored on 2026-01-01 (N1) and their closes:
 *  A Prospecting p 0.2, won 02-01      counts
 *  B Prospecting p 0.2, lost 02-10     counts
 *  C Prospecting p 0.2, won 06-01      after the as-of date: unknown tonight
 *  D Negotiation p 0.5, won 2025-12-20 already closed when scored: not an open deal then
 *  E Negotiation p 0.6, lost 03-01     counts
 *  F (no stage)  p 0.3, won 04-01      counts, as (none)
 * and on the as-of date itself, G Prospecting p 0.9 won 05-15: tonight's own scores never count.
 */
async function history(conn: DuckDBConnection, future: 'as is' | 'rewritten'): Promise<void> {
  await conn.run(
    'CREATE TABLE opportunity_history (opportunity_id VARCHAR, changed_at TIMESTAMP, stage VARCHAR, amount DOUBLE)',
  );
  await conn.run(`INSERT INTO opportunity_history VALUES
    ('A', '2026-02-01', 'Closed Won', 1), ('B', '2026-02-10', 'Closed Lost', 1), ('C', '2026-06-01', 'Closed Won', 1),
    ('D', '2025-12-20', 'Closed Won', 1), ('E', '2026-03-01', 'Closed Lost', 1), ('F', '2026-04-01', 'Closed Won', 1),
    ('G', '2026-05-15', 'Closed Won', 1)`);
  if (future === 'rewritten')
    await conn.run(`UPDATE opportunity_history SET stage = 'Closed Lost' WHERE changed_at > DATE '${AS_OF}';
      INSERT INTO opportunity_history VALUES ('B', '2026-05-20', 'Closed Won', 1), ('E', '2026-07-01', 'Closed Won', 1)`);
}

const PAST: PastScore[] = [
  { asOf: '2026-01-01', opportunityId: 'A', stage: 'Prospecting', winProbability: 0.2 },
  { asOf: '2026-01-01', opportunityId: 'B', stage: 'Prospecting', winProbability: 0.2 },
  { asOf: '2026-01-01', opportunityId: 'C', stage: 'Prospecting', winProbability: 0.2 },
  { asOf: '2026-01-01', opportunityId: 'D', stage: 'Negotiation', winProbability: 0.5 },
  { asOf: '2026-01-01', opportunityId: 'E', stage: 'Negotiation', winProbability: 0.6 },
  { asOf: '2026-01-01', opportunityId: 'F', stage: null, winProbability: 0.3 },
  { asOf: AS_OF, opportunityId: 'G', stage: 'Prospecting', winProbability: 0.9 },
];

describe('the forecast correction by stage', () => {
  it('learns, per stage and pooled over all, from the deals open on a past night that closed after it and by the as-of date', async () => {
    const correction = await withDatabase(':memory:', async (conn) => {
      await history(conn, 'as is');
      return correctionFromPast(conn, AS_OF, PAST, DEFAULT_CLOSING_STAGES);
    });
    expect(correction.nights).toEqual(['2026-01-01']);
    expect(correction.factors.slice(0, 3)).toEqual([
      { stage: '(none)', nights: 1, deals: 1, won: 1, expected: 0.3, factor: shrunkFactor(1, 0.3) },
      { stage: 'Negotiation', nights: 1, deals: 1, won: 0, expected: 0.6, factor: shrunkFactor(0, 0.6) },
      { stage: 'Prospecting', nights: 1, deals: 2, won: 1, expected: 0.4, factor: shrunkFactor(1, 0.4) },
    ]);
    expect(correction.factors[2]!.factor).toBeCloseTo((1 + PRIOR_WINS) / (0.4 + PRIOR_WINS), 12);
    // last, the pooled factor: A, B, E and F together, 2 won of 0.2 + 0.2 + 0.6 + 0.3 expected
    expect(correction.factors).toHaveLength(4);
    const pooled = correction.factors[3]!;
    expect(pooled).toMatchObject({ stage: ALL_STAGES, nights: 1, deals: 4, won: 2 });
    expect(pooled.expected).toBeCloseTo(1.3, 12);
    expect(pooled.factor).toBeCloseTo((2 + PRIOR_WINS) / (1.3 + PRIOR_WINS), 12);
    expect(pooled.factor).toBe(shrunkFactor(pooled.won, pooled.expected));
  });

  it('learns nothing, not even a pooled factor, when none of the deals scored on past nights has closed since', async () => {
    const correction = await withDatabase(':memory:', async (conn) => {
      await history(conn, 'as is');
      // C closes after the as-of date, G was scored on it
      return correctionFromPast(
        conn,
        AS_OF,
        PAST.filter((s) => s.opportunityId === 'C' || s.opportunityId === 'G'),
        DEFAULT_CLOSING_STAGES,
      );
    });
    expect(correction).toEqual({ asOf: AS_OF, nights: ['2026-01-01'], factors: [] });
  });

  it('is point in time: rewriting everything after the as-of date changes nothing', async () => {
    const learn = (future: 'as is' | 'rewritten') =>
      withDatabase(':memory:', async (conn) => {
        await history(conn, future);
        return correctionFromPast(conn, AS_OF, PAST, DEFAULT_CLOSING_STAGES);
      });
    expect(await learn('rewritten')).toEqual(await learn('as is'));
  });

  it('shrinks towards 1 where few wins were expected and stays within its range', () => {
    expect(shrunkFactor(0, 0)).toBe(1);
    expect(shrunkFactor(120, 100)).toBeCloseTo(140 / 120, 12);
    expect(Math.abs(shrunkFactor(12, 10) - 1)).toBeLessThan(Math.abs(12 / 10 - 1));
    expect(shrunkFactor(10_000, 100)).toBe(FACTOR_RANGE.max);
    expect(shrunkFactor(0, 10_000)).toBe(FACTOR_RANGE.min);
  });

  it('picks the earliest night of each fiscal quarter of the last year, before the as-of date', () => {
    const nights = ['2025-05-01', '2025-05-20', '2025-07-02', '2025-07-01', '2025-12-31', '2026-04-01', '2026-05-15'];
    expect(pickNights(nights, '2026-05-15', 1)).toEqual(['2025-05-20', '2025-07-01', '2025-12-31', '2026-04-01']);
    // a fiscal year from February: 2025-05-01 and 2025-05-20 share the quarter May–July with July's nights
    expect(pickNights(nights, '2026-05-15', 2)).toEqual(['2025-05-20', '2025-12-31', '2026-04-01']);
  });

  it('multiplies each open deal by its stage factor, capped at 1, and leaves unseen stages alone', () => {
    const correction = {
      asOf: AS_OF,
      nights: ['2026-01-01'],
      factors: [
        { stage: 'Prospecting', nights: 1, deals: 50, won: 30, expected: 20, factor: 1.25 },
        { stage: '(none)', nights: 1, deals: 50, won: 10, expected: 20, factor: 0.75 },
      ],
    };
    const corrected = applyStageCorrection(
      Float64Array.from([0.4, 0.9, 0.5, 0.4]),
      ['Prospecting', 'Prospecting', 'Proposal', null],
      correction,
    ).winProbability;
    expect(Array.from(corrected)).toEqual([0.5, 1, 0.5, 0.30000000000000004]);
  });

  it("gives a deal its stage's factor, else the pooled one, and counts the open deals each factor was applied to", () => {
    const factor = (stage: string, value: number) => ({
      stage,
      nights: 2,
      deals: 50,
      won: 10,
      expected: 10,
      factor: value,
    });
    const learned: StageCorrection = {
      asOf: AS_OF,
      nights: ['2025-12-31', '2026-03-31'],
      factors: [factor('(none)', 0.8), factor('Prospecting', 1.25), factor('Proposal', 1.1), factor(ALL_STAGES, 0.9)],
    };
    const applied = applyStageCorrection(
      Float64Array.from([0.4, 0.9, 0.5, 0.4, 0.3, 0.2]),
      ['Prospecting', 'Prospecting', 'Negotiation', null, 'Closing', 'Negotiation'],
      learned,
    );
    // Prospecting its own (0.9 capped at 1), Negotiation and Closing unseen: pooled, no stage: (none)'s
    expect(Array.from(applied.winProbability)).toEqual([0.5, 1, 0.5 * 0.9, 0.4 * 0.8, 0.3 * 0.9, 0.2 * 0.9]);
    expect(applied.factors.map((f) => [f.stage, f.factor, f.openDeals])).toEqual([
      ['(none)', 0.8, 1],
      ['Prospecting', 1.25, 2],
      ['Proposal', 1.1, 0],
      [ALL_STAGES, 0.9, 3],
    ]);
    expect(applied.factors.reduce((sum, f) => sum + f.openDeals, 0)).toBe(6);
    // a flat export's past: only (none) learned; tonight's deals with stages all take the pooled factor
    const flat: StageCorrection = { ...learned, factors: [factor('(none)', 0.93), factor(ALL_STAGES, 0.93)] };
    const tonight = applyStageCorrection(Float64Array.from([0.5, 0.25]), ['Prospecting', 'Negotiation'], flat);
    expect(Array.from(tonight.winProbability)).toEqual([0.5 * 0.93, 0.25 * 0.93]);
    expect(tonight.factors.map((f) => [f.stage, f.openDeals])).toEqual([
      ['(none)', 0],
      [ALL_STAGES, 2],
    ]);
    // no correction: the probabilities as they are, no factor
    const none = applyStageCorrection(Float64Array.from([0.5]), ['Prospecting'], undefined);
    expect(Array.from(none.winProbability)).toEqual([0.5]);
    expect(none.factors).toEqual([]);
  });

  it("reads the nightly's past from the scores table and the backtest's quarter starts, scores first", async () => {
    const correction = await withDatabase(':memory:', async (conn) => {
      await history(conn, 'as is');
      await conn.run(
        'CREATE TABLE scores (as_of DATE, opportunity_id VARCHAR, stage VARCHAR, win_probability DOUBLE, score INTEGER)',
      );
      // two nights of one quarter: only the first counts; tonight's never
      await conn.run(`INSERT INTO scores VALUES ('2026-01-01', 'A', 'Prospecting', 0.2, 20), ('2026-01-01', 'B', 'Prospecting', 0.2, 20),
        ('2026-01-02', 'A', 'Prospecting', 0.9, 90), ('${AS_OF}', 'G', 'Prospecting', 0.9, 90)`);
      await conn.run(
        'CREATE TABLE backtest_deals (as_of DATE, period_label VARCHAR, weeks_into_period INTEGER, opportunity_id VARCHAR, stage VARCHAR, win_probability DOUBLE)',
      );
      // the same night as the scores (theirs win), an earlier quarter start, and a week into a quarter (not a start)
      await conn.run(`INSERT INTO backtest_deals VALUES ('2026-01-01', 'FY2026 Q1', 0, 'E', 'Negotiation', 0.6),
        ('2025-12-20', 'FY2025 Q4', 0, 'D', 'Negotiation', 0.5), ('2025-11-30', 'FY2025 Q4', 0, 'F', 'Negotiation', 0.25),
        ('2025-12-07', 'FY2025 Q4', 1, 'E', 'Negotiation', 0.1)`);
      return correctionFromScores(conn, AS_OF, DEFAULT_CLOSING_STAGES, 1);
    });
    expect(correction.nights).toEqual(['2025-11-30', '2026-01-01']);
    expect(correction.factors).toEqual([
      { stage: 'Negotiation', nights: 1, deals: 1, won: 1, expected: 0.25, factor: shrunkFactor(1, 0.25) },
      { stage: 'Prospecting', nights: 1, deals: 2, won: 1, expected: 0.4, factor: shrunkFactor(1, 0.4) },
      // pooled over both nights: F, then A and B
      { stage: ALL_STAGES, nights: 2, deals: 3, won: 2, expected: 0.25 + 0.2 + 0.2, factor: shrunkFactor(2, 0.65) },
    ]);
  });
});
