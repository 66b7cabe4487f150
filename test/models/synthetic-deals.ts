/**
 * A feature table with a planted signal, in the shape of `features_train` / `features_score`:
 * each deal has two latent traits; its win probability is a logistic of them (the oracle); every
 * observation sees the traits with a little noise as `signal_up` / `signal_down`, plus pure-noise
 * columns, one constant column and missing values. The stage probability is a weak signal.
 * Amounts: the rep enters a log-normal amount; a won deal closes at rep amount x exp(AMOUNT_SIGNAL x up)
 * (with a little noise), so the deal-size model can beat the rep amount through `signal_up`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { Random } from '../../pipeline/base/random.ts';

export const SIGNAL_FEATURES = ['signal_up', 'signal_down', 'noise_a', 'noise_b', 'noise_sparse', 'constant_one'];

export interface SyntheticOptions {
  table: string;
  deals: number;
  observationsPerDeal: number;
  seed: number;
  /** Leave the label, the final amount and the close date NULL (open deals, as in features_score). */
  open?: boolean;
  /** Force every deal's outcome (for the not-enough-data cases): won deals first, then lost. */
  wonDeals?: number;
}

/** How strongly the first trait moves the final amount away from the rep's (log scale). */
export const AMOUNT_SIGNAL = 0.4;

/** The true win probability of a deal with traits (up, down). */
export function oracleProbability(up: number, down: number): number {
  return 1 / (1 + Math.exp(-(1.6 * up - 1.2 * down - 0.3)));
}

/** Creates `options.table`; its `oracle` column holds each row's true win probability. */
export async function createSyntheticTable(conn: DuckDBConnection, options: SyntheticOptions): Promise<void> {
  const random = new Random(options.seed);
  const staging = `${options.table}_staging`;
  await conn.run(`CREATE OR REPLACE TABLE ${staging} (
    opportunity_id VARCHAR, as_of_day INTEGER, stage_probability DOUBLE, label_won INTEGER, close_day INTEGER, oracle DOUBLE, rep_amount DOUBLE, final_amount DOUBLE,
    signal_up DOUBLE, signal_down DOUBLE, noise_a DOUBLE, noise_b DOUBLE, noise_sparse DOUBLE, constant_one DOUBLE)`);
  const appender = await conn.createAppender(staging);
  const firstDay = 19_723; // 2024-01-01
  for (let d = 0; d < options.deals; d++) {
    const up = random.normal();
    const down = random.normal();
    const oracle = oracleProbability(up, down);
    const won = options.wonDeals !== undefined ? d < options.wonDeals : random.next() < oracle;
    const closeDay = firstDay + Math.floor(random.next() * 900);
    const repAmount = Math.round(20_000 * Math.exp(0.6 * random.normal()));
    const finalAmount = Math.round(repAmount * Math.exp(AMOUNT_SIGNAL * up + 0.05 * random.normal()));
    for (let k = 0; k < options.observationsPerDeal; k++) {
      const asOfDay = closeDay - 20 - 30 * k;
      // the CRM's stage probability: mostly noise, a little of the first trait
      const stage = 1 / (1 + Math.exp(-(0.4 * up + 1.2 * random.normal())));
      appender.appendVarchar(`D${String(d).padStart(5, '0')}`);
      appender.appendInteger(asOfDay);
      appender.appendDouble(Math.round(stage * 10) / 10);
      if (options.open) appender.appendNull();
      else appender.appendInteger(won ? 1 : 0);
      appender.appendInteger(closeDay);
      appender.appendDouble(oracle);
      appender.appendDouble(repAmount);
      appender.appendDouble(finalAmount);
      appender.appendDouble(up + 0.2 * random.normal());
      const downSeen = down + 0.2 * random.normal();
      if (random.next() < 0.05) appender.appendNull();
      else appender.appendDouble(downSeen);
      appender.appendDouble(random.normal());
      appender.appendDouble(3 + 10 * random.normal());
      if (random.next() < 0.6) appender.appendNull();
      else appender.appendDouble(random.normal());
      appender.appendDouble(1);
      appender.endRow();
    }
  }
  appender.closeSync();
  await conn.run(`
    CREATE OR REPLACE TABLE ${options.table} AS
    SELECT
        opportunity_id,
        DATE '1970-01-01' + as_of_day AS as_of,
        'A' || (hash(opportunity_id) % 50)::VARCHAR AS account_id,
        'U' || (hash(opportunity_id) % 7)::VARCHAR AS owner_id,
        'Stage' AS stage,
        stage_probability,
        rep_amount AS amount,
        DATE '1970-01-01' + close_day AS expected_close_date,
        ${options.open ? 'NULL::INTEGER' : 'label_won'} AS label_won,
        ${options.open ? 'NULL::DOUBLE' : 'CASE WHEN label_won = 1 THEN final_amount END'} AS final_amount,
        ${options.open ? 'NULL::DATE' : "DATE '1970-01-01' + close_day"} AS final_close_date,
        oracle,
        signal_up, signal_down, noise_a, noise_b, noise_sparse, constant_one
    FROM ${staging}
    ORDER BY opportunity_id, as_of`);
  await conn.run(`DROP TABLE ${staging}`);
}
