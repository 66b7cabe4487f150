/**
 * Deals reopened after a close, on the tiny CRM of tiny-crm.ts (as of 2025-06-30, T). CRMs let a rep
 * reopen a lost deal; its history then shows a closing change followed by open ones. Before, the
 * features and the forecast took a deal's first closing change as its close: a deal lost in March and
 * reopened in April, open at T, was a lost training deal and never scored, and a deal lost, reopened
 * and then won counted as lost.
 *  - O7 (A2, U1): Prospecting 2025-02-01, Closed Lost 03-01, reopened to Discovery 04-01: open at T.
 *  - O8 (A2, U1): Prospecting 2024-11-01, Closed Lost 12-01, reopened to Negotiation 2025-01-10,
 *    Closed Won 80k on 03-15: won on 2025-03-15.
 */
import { describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { DEFAULT_CLOSING_STAGES, dealClosesSql } from '../../pipeline/forecast/deal-facts.ts';
import { createTinyCrm, TINY_AS_OF } from './tiny-crm.ts';

async function withReopenedDeals<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  return withDatabase(':memory:', async (conn) => {
    await createTinyCrm(conn);
    await conn.run(`
      INSERT INTO opportunities (opportunity_id, account_id, owner_id, type, lead_source, product_line, created_date, stage, amount) VALUES
        ('O7', 'A2', 'U1', 'new', 'inbound', 'Platform', DATE '2025-02-01', 'Discovery', 40000),
        ('O8', 'A2', 'U1', 'new', 'inbound', 'Platform', DATE '2024-11-01', 'Closed Won', 80000)`);
    await conn.run(`
      INSERT INTO opportunity_history (opportunity_id, changed_at, stage, amount, close_date) VALUES
        ('O7', DATE '2025-02-01', 'Prospecting', 40000, DATE '2025-03-01'),
        ('O7', DATE '2025-03-01', 'Closed Lost', 40000, DATE '2025-03-01'),
        ('O7', DATE '2025-04-01', 'Discovery', 40000, DATE '2025-08-01'),
        ('O8', DATE '2024-11-01', 'Prospecting', 70000, DATE '2024-12-01'),
        ('O8', DATE '2024-12-01', 'Closed Lost', 70000, DATE '2024-12-01'),
        ('O8', DATE '2025-01-10', 'Negotiation', 80000, DATE '2025-03-15'),
        ('O8', DATE '2025-03-15', 'Closed Won', 80000, DATE '2025-03-15')`);
    await buildFeatures(conn, { asOf: TINY_AS_OF, log: quietLogger });
    return work(conn);
  });
}

describe('deals reopened after a close', () => {
  it('are scored while open again, and closed by their last close', async () => {
    const { scored, trained, closes } = await withReopenedDeals(async (conn) => ({
      scored: await queryRows<{ opportunity_id: string }>(
        conn,
        `SELECT opportunity_id FROM features_score WHERE opportunity_id IN ('O7', 'O8') ORDER BY 1`,
      ),
      trained: await queryRows<{ opportunity_id: string; won: number; final_amount: number; close_date: string }>(
        conn,
        `SELECT DISTINCT opportunity_id, won::INTEGER AS won, final_amount::DOUBLE AS final_amount,
                strftime(close_date, '%Y-%m-%d') AS close_date
         FROM features_train WHERE opportunity_id IN ('O7', 'O8') ORDER BY 1`,
      ),
      closes: await queryRows<{ opportunity_id: string; closed_on: string; won: boolean; final_amount: number }>(
        conn,
        `SELECT opportunity_id, strftime(closed_on, '%Y-%m-%d') AS closed_on, won, final_amount::DOUBLE AS final_amount
         FROM (${dealClosesSql(TINY_AS_OF, DEFAULT_CLOSING_STAGES)}) WHERE opportunity_id IN ('O7', 'O8') ORDER BY 1`,
      ),
    }));
    expect(scored).toEqual([{ opportunity_id: 'O7' }]);
    expect(trained).toEqual([{ opportunity_id: 'O8', won: 1, final_amount: 80000, close_date: '2025-03-15' }]);
    // the forecast's closes (won to date, the correction by stage) read the history the same way
    expect(closes).toEqual([{ opportunity_id: 'O8', closed_on: '2025-03-15', won: true, final_amount: 80000 }]);
  });

  it('are closed as of a date between the close and the reopening (point in time)', async () => {
    const closes = await withReopenedDeals((conn) =>
      queryRows<{ opportunity_id: string; closed_on: string; won: boolean }>(
        conn,
        `SELECT opportunity_id, strftime(closed_on, '%Y-%m-%d') AS closed_on, won
         FROM (${dealClosesSql('2025-03-20', DEFAULT_CLOSING_STAGES)}) WHERE opportunity_id IN ('O7', 'O8') ORDER BY 1`,
      ),
    );
    expect(closes).toEqual([
      { opportunity_id: 'O7', closed_on: '2025-03-01', won: false },
      { opportunity_id: 'O8', closed_on: '2025-03-15', won: true },
    ]);
  });
});
