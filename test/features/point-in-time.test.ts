import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { quietLogger } from '../../pipeline/log.ts';
import { loadInto, smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const COMPARED = ['stage', 'stage_probability', 'amount', 'expected_close_date', 'label_won', 'final_amount', 'final_close_date', ...FEATURE_NAMES];

/** Feature rows as of `asOf`, values rounded so that summation order cannot matter. */
async function featureRows(conn: DuckDBConnection, asOf: string): Promise<Map<string, unknown[]>> {
  await buildFeatures(conn, { asOf, log: quietLogger });
  const select = COMPARED.map((c) => `round(try_cast(${c} AS DOUBLE), 6) AS ${c}_n, ${c}::VARCHAR AS ${c}_t`).join(', ');
  const rows = await queryRows<Record<string, unknown>>(
    conn,
    `SELECT opportunity_id || '@' || as_of AS key, ${select} FROM (SELECT * FROM features_train UNION ALL SELECT * FROM features_score)`,
  );
  return new Map(rows.map((r) => [r['key'] as string, COMPARED.map((c) => (r[`${c}_n`] ?? r[`${c}_t`]) ?? null)]));
}

/** Deletes every record stamped after `asOf`, scrambles the deals' current (end-of-export) state, and adds records after `asOf`. */
async function rewriteTheFuture(conn: DuckDBConnection, asOf: string): Promise<void> {
  const d = `DATE '${asOf}'`;
  for (const sql of [
    // records after the date: gone
    `DELETE FROM opportunity_history WHERE changed_at > ${d}`,
    `DELETE FROM activity_participants WHERE activity_id IN (SELECT activity_id FROM activities WHERE occurred_at::DATE > ${d})`,
    `DELETE FROM activities WHERE occurred_at::DATE > ${d}`,
    `DELETE FROM opportunity_contact_roles WHERE created_date > ${d}`,
    `DELETE FROM opportunity_competitors WHERE created_date > ${d}`,
    `DELETE FROM opportunity_line_items WHERE created_date > ${d}`,
    `DELETE FROM opportunities WHERE created_date > ${d}`,
    // the export's current state of each deal: scrambled (only history may tell the past)
    `UPDATE opportunities SET stage = 'Closed Won', is_closed = true, is_won = true, amount = amount * 7 + 1, close_date = ${d} - 999, probability = 1, forecast_category = 'closed'`,
    // new records after the date: a future activity burst with existing contacts, future stage changes, roles and competitors
    `INSERT INTO activities SELECT activity_id || '-future', account_id, opportunity_id, type, 'inbound', (${d} + 1 + (hash(activity_id) % 300)::INTEGER)::TIMESTAMP, duration_minutes FROM activities`,
    `INSERT INTO activity_participants SELECT activity_id || '-future', participant_type, participant_id FROM activity_participants`,
    `INSERT INTO opportunity_history SELECT opportunity_id, ${d} + 1, 'Negotiation', amount * 3, close_date, 0.8, 'commit' FROM opportunities`,
    `INSERT INTO opportunity_contact_roles SELECT opportunity_id, contact_id, 'decision_maker', 'supporter', false, ${d} + 2 FROM opportunity_contact_roles`,
    `INSERT INTO opportunity_competitors SELECT opportunity_id, 'Future Rival', true, ${d} + 3 FROM opportunities`,
  ]) {
    await conn.run(sql);
  }
}

describe('point in time', () => {
  const tmp = tempDir();
  let source = '';
  beforeAll(async () => {
    source = await smallExport(tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  for (const asOf of ['2025-03-31', '2025-11-15']) {
    it(`features as of ${asOf} do not change when records after that date are removed, scrambled or added`, async () => {
      await withDatabase(':memory:', async (conn) => {
        await loadInto(conn, source);
        const before = await featureRows(conn, asOf);
        await rewriteTheFuture(conn, asOf);
        const after = await featureRows(conn, asOf);

        expect(before.size).toBeGreaterThan(1000);
        expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
        const differences: string[] = [];
        for (const [key, values] of before) {
          const other = after.get(key)!;
          values.forEach((value, i) => {
            if (String(value) !== String(other[i])) differences.push(`${key} ${COMPARED[i]}: ${value} -> ${other[i]}`);
          });
        }
        expect(differences.slice(0, 10)).toEqual([]);
      });
    });
  }
});
