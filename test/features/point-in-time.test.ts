/**
 * The leakage property: for many random as-of dates (seeded), adding, changing or deleting records
 * stamped after the date, and scrambling the export's current state of every deal, leaves every
 * feature value of that date unchanged: the training and scoring rows and the who-knows-whom marts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { Random } from '../../pipeline/base/random.ts';
import { loadInto, smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const OUTCOME_AND_CRM = [
  'stage',
  'stage_probability',
  'amount',
  'expected_close_date',
  'won',
  'final_amount',
  'close_date',
  'label_won',
  'final_close_date',
];
const MARTS: Record<string, { key: string; columns: string[] }> = {
  features: { key: `opportunity_id || '@' || as_of`, columns: [...OUTCOME_AND_CRM, ...FEATURE_NAMES] },
  rel_who_knows_whom: {
    key: `account_id || '/' || contact_id || '/' || user_id`,
    columns: ['strength', 'interactions', 'last_interaction'],
  },
  rel_deal_contact_ties: {
    key: `opportunity_id || '/' || contact_id || '/' || user_id`,
    columns: ['is_owner', 'strength', 'interactions'],
  },
};

type Snapshot = Map<string, Map<string, unknown[]>>;

/** Every value of every mart as of `asOf`, by mart and row key. */
async function snapshot(conn: DuckDBConnection, asOf: string): Promise<Snapshot> {
  await buildFeatures(conn, { asOf, log: quietLogger });
  const result: Snapshot = new Map();
  for (const [mart, { key, columns }] of Object.entries(MARTS)) {
    const table = mart === 'features' ? `(SELECT * FROM features_train UNION ALL SELECT * FROM features_score)` : mart;
    const select = columns
      .map(
        (c) =>
          `CASE WHEN typeof(${c}) IN ('DOUBLE', 'INTEGER', 'BIGINT', 'HUGEINT', 'DECIMAL') THEN ${c}::DOUBLE END AS "${c}#n", ${c}::VARCHAR AS "${c}#t"`,
      )
      .join(', ');
    const rows = await queryRows<Record<string, unknown>>(conn, `SELECT ${key} AS __key, ${select} FROM ${table}`);
    result.set(
      mart,
      new Map(rows.map((r) => [r['__key'] as string, columns.map((c) => r[`${c}#n`] ?? r[`${c}#t`] ?? null)])),
    );
  }
  return result;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return String(a) === String(b);
}

function differences(before: Snapshot, after: Snapshot): string[] {
  const found: string[] = [];
  for (const [mart, rows] of before) {
    const other = after.get(mart)!;
    const keysBefore = [...rows.keys()].sort();
    const keysAfter = [...other.keys()].sort();
    if (keysBefore.join('|') !== keysAfter.join('|')) {
      const gone = keysBefore.filter((k) => !other.has(k)).slice(0, 3);
      const added = keysAfter.filter((k) => !rows.has(k)).slice(0, 3);
      found.push(`${mart}: rows differ (gone ${gone.join(', ')}; added ${added.join(', ')})`);
      continue;
    }
    for (const [key, values] of rows) {
      const changed = other.get(key)!;
      values.forEach((value, i) => {
        if (!sameValue(value, changed[i]))
          found.push(`${mart} ${key} ${MARTS[mart]!.columns[i]}: ${value} -> ${changed[i]}`);
      });
    }
  }
  return found;
}

/**
 * Random edits of the future, as SQL. Each kind of record stamped after `asOf` is deleted, changed
 * or added at a random rate; `salt` makes the choice of rows differ between dates.
 */
function rewriteTheFuture(asOf: string, random: Random, salt: number): string[] {
  const d = `DATE '${asOf}'`;
  const pick = (column: string, share: number) => `hash(${column} || '${salt}') % 1000 < ${Math.round(share * 1000)}`;
  const share = () => random.uniform(0.1, 0.9);
  const days = (column: string) => `(1 + hash(${column} || '${salt}d') % 200)::INTEGER`;
  return [
    // delete some of each kind of record stamped after the date
    `DELETE FROM activity_participants WHERE activity_id IN (SELECT activity_id FROM activities WHERE occurred_at::DATE > ${d} AND ${pick('activity_id', share())})`,
    `DELETE FROM activities WHERE occurred_at::DATE > ${d} AND activity_id NOT IN (SELECT activity_id FROM activity_participants)`,
    `DELETE FROM opportunity_history WHERE changed_at > ${d} AND ${pick('opportunity_id || changed_at::VARCHAR', share())}`,
    `DELETE FROM opportunity_contact_roles WHERE created_date > ${d} AND ${pick('opportunity_id || contact_id || role', share())}`,
    `DELETE FROM opportunity_competitors WHERE created_date > ${d} AND ${pick('opportunity_id || competitor', share())}`,
    `DELETE FROM opportunity_line_items WHERE created_date > ${d} AND ${pick('opportunity_id || product', share())}`,
    `DELETE FROM opportunities WHERE created_date > ${d} AND ${pick('opportunity_id', share())}`,
    // change some of the rest (their dates stay after the date)
    `UPDATE activities SET type = CASE type WHEN 'email' THEN 'meeting' ELSE 'email' END, direction = CASE direction WHEN 'inbound' THEN 'outbound' ELSE 'inbound' END,
       occurred_at = occurred_at + to_days(${days('activity_id')}) WHERE occurred_at::DATE > ${d} AND ${pick('activity_id', share())}`,
    `UPDATE opportunity_history SET stage = CASE WHEN hash(opportunity_id) % 2 = 0 THEN 'Prospecting' ELSE 'Closed Won' END, amount = amount * 3 + 7, close_date = close_date + 40
       WHERE changed_at > ${d} AND ${pick("opportunity_id || 'h'", share())}`,
    `UPDATE opportunity_contact_roles SET stance = 'opponent', role = 'decision_maker' WHERE created_date > ${d} AND ${pick('opportunity_id || contact_id', share())}`,
    `UPDATE opportunity_competitors SET is_incumbent = NOT coalesce(is_incumbent, false) WHERE created_date > ${d} AND ${pick('opportunity_id', share())}`,
    `UPDATE opportunity_line_items SET discount = 0.5, quantity = quantity + 9 WHERE created_date > ${d} AND ${pick('opportunity_id || product', share())}`,
    `UPDATE opportunities SET type = 'renewal', product_line = 'Platform', lead_source = 'referral', owner_id = (SELECT min(user_id) FROM users)
       WHERE created_date > ${d} AND ${pick("opportunity_id || 'o'", share())}`,
    `UPDATE contacts SET seniority = 'c_level', department = 'Board' WHERE created_date > ${d}`,
    // the export's current state of every deal: scrambled (only history may tell the past)
    `UPDATE opportunities SET stage = 'Closed Won', is_closed = true, is_won = true, amount = amount * 7 + 1, close_date = ${d} - 999, probability = 1, forecast_category = 'closed'`,
    // add records after the date: copies of past activities moved into the future (with their
    // participants and a colleague), stage changes (also reopening closed deals), roles, competitors, line items, a new deal
    `INSERT INTO activities SELECT activity_id || '-f${salt}', account_id, opportunity_id, type, 'inbound', owner_id, (${d} + ${days('activity_id')})::TIMESTAMP, duration_minutes
       FROM activities WHERE ${pick("activity_id || 'a'", share())}`,
    `INSERT INTO activity_participants SELECT activity_id || '-f${salt}', participant_type, participant_id FROM activity_participants WHERE activity_id || '-f${salt}' IN (SELECT activity_id FROM activities)`,
    `INSERT INTO activity_participants SELECT activity_id, 'user', (SELECT max(user_id) FROM users) FROM activities WHERE activity_id LIKE '%-f${salt}'`,
    `INSERT INTO opportunity_history SELECT opportunity_id, ${d} + ${days('opportunity_id')}, 'Negotiation', amount * 3, close_date, 0.8, 'commit' FROM opportunities WHERE ${pick("opportunity_id || 'n'", share())}`,
    `INSERT INTO opportunity_history SELECT opportunity_id, ${d} + 1, 'Closed Lost', amount, ${d} + 1, 0, 'omitted' FROM opportunities WHERE ${pick("opportunity_id || 'l'", share())}`,
    `INSERT INTO opportunity_contact_roles SELECT opportunity_id, contact_id, 'champion', 'supporter', false, ${d} + 2 FROM opportunity_contact_roles WHERE ${pick("contact_id || 'r'", share())}`,
    `INSERT INTO opportunity_competitors SELECT opportunity_id, 'Future Rival', true, ${d} + 3 FROM opportunities WHERE ${pick("opportunity_id || 'c'", share())}`,
    `INSERT INTO opportunity_line_items SELECT opportunity_id, 'Future Product', 5, 100, 0.3, ${d} + 4 FROM opportunities WHERE ${pick("opportunity_id || 'i'", share())}`,
    `INSERT INTO opportunities SELECT opportunity_id || '-new${salt}', account_id, owner_id, name, type, lead_source, product_line, currency, ${d} + 1, close_date, stage, probability, forecast_category, is_closed, is_won, amount
       FROM opportunities WHERE ${pick("opportunity_id || 'p'", 0.2)}`,
    `INSERT INTO opportunity_history SELECT opportunity_id, ${d} + 1, 'Prospecting', amount, ${d} + 30, 0.1, 'pipeline' FROM opportunities WHERE opportunity_id LIKE '%-new${salt}'`,
  ];
}

describe('point in time (leakage property)', () => {
  const tmp = tempDir();
  let source = '';
  beforeAll(async () => {
    source = await smallExport(tmp.dir, 600, 11);
  });
  afterAll(() => tmp.cleanup());

  // Six as-of dates drawn at random (seeded) across the export's life, each with its own random edits.
  const random = new Random(20260630);
  const first = Date.parse('2024-02-15');
  const last = Date.parse('2026-06-20');
  const dates = Array.from({ length: 6 }, () =>
    new Date(first + random.next() * (last - first)).toISOString().slice(0, 10),
  );

  dates.forEach((asOf, i) => {
    it(`features as of ${asOf} do not change when records after that date are deleted, changed or added`, async () => {
      await withDatabase(':memory:', async (conn) => {
        await loadInto(conn, source);
        const before = await snapshot(conn, asOf);
        for (const sql of rewriteTheFuture(asOf, random, i)) await conn.run(sql);
        const after = await snapshot(conn, asOf);

        expect(before.get('features')!.size).toBeGreaterThan(50);
        expect(differences(before, after).slice(0, 10)).toEqual([]);
      });
    });
  });

  it('the check itself notices a leak: a record on the as-of date does change the features', async () => {
    await withDatabase(':memory:', async (conn) => {
      await loadInto(conn, source);
      const asOf = '2025-09-30';
      const before = await snapshot(conn, asOf);
      // a meeting with every deal's contacts on the as-of date itself is in the past of that date
      await conn.run(
        `INSERT INTO activities SELECT 'same-day-' || opportunity_id, account_id, opportunity_id, 'meeting', 'inbound', NULL, DATE '${asOf}'::TIMESTAMP, 30 FROM opportunities`,
      );
      await conn.run(
        `INSERT INTO activity_participants SELECT 'same-day-' || opportunity_id, 'contact', contact_id FROM opportunity_contact_roles`,
      );
      await conn.run(
        `INSERT INTO activity_participants SELECT 'same-day-' || opportunity_id, 'user', owner_id FROM opportunities`,
      );
      const after = await snapshot(conn, asOf);
      const changed = differences(before, after);
      expect(changed.some((line) => line.includes('ecm_key_person_max_strength'))).toBe(true);
      expect(changed.some((line) => line.startsWith('rel_who_knows_whom'))).toBe(true);
    });
  });
});
