/**
 * Data tests on the marts, driven by the catalog: keys unique, no NULL where a value is defined,
 * every value in its range; the training and scoring sets' outcome columns; and honest handling of
 * exports that cannot support a family (NULL and listed, dropped by the model side).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { buildFeatures, supportedFeatureNames, type FeatureSummary } from '../../pipeline/features/build.ts';
import { FEATURES, FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../pipeline/features/config.ts';
import { quietLogger, type Logger } from '../../pipeline/base/log.ts';
import { loadInto, smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const KEYS: Record<string, string[]> = {
  features_train: ['opportunity_id', 'as_of'],
  features_score: ['opportunity_id'],
  rel_who_knows_whom: ['contact_id', 'user_id'],
  rel_deal_contact_ties: ['opportunity_id', 'contact_id', 'user_id'],
  feature_support: ['feature'],
};

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(conn, `SELECT (${sql})::INTEGER AS n`);
  return row!.n;
}

describe('feature marts', () => {
  const tmp = tempDir();
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let source = '';
  let summary: FeatureSummary;

  beforeAll(async () => {
    source = await smallExport(tmp.dir, 900, 5);
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await loadInto(conn, source);
    summary = await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
    tmp.cleanup();
  });

  for (const [table, key] of Object.entries(KEYS)) {
    it(`${table}: rows keyed uniquely by ${key.join(' + ')}, keys never NULL`, async () => {
      expect(await count(conn, `SELECT count(*) FROM ${table}`)).toBeGreaterThan(0);
      expect(
        await count(
          conn,
          `SELECT count(*) FROM (SELECT ${key.join(', ')} FROM ${table} GROUP BY ALL HAVING count(*) > 1)`,
        ),
      ).toBe(0);
      expect(
        await count(conn, `SELECT count(*) FROM ${table} WHERE ${key.map((k) => `${k} IS NULL`).join(' OR ')}`),
      ).toBe(0);
    });
  }

  it('every catalog feature: NULL only where the catalog says a value can be undefined, and always in its range', async () => {
    const problems: string[] = [];
    for (const table of ['features_train', 'features_score']) {
      for (const feature of FEATURES) {
        const [low, high] = feature.range;
        const outside = [
          low !== null ? `${feature.name} < ${low}` : null,
          high !== null ? `${feature.name} > ${high}` : null,
          `NOT isfinite(${feature.name})`,
        ]
          .filter(Boolean)
          .join(' OR ');
        const [row] = await queryRows<{ nulls: number; outside: number; values: number }>(
          conn,
          `SELECT count(*) FILTER (WHERE ${feature.name} IS NULL)::INTEGER AS nulls, count(*) FILTER (WHERE ${outside})::INTEGER AS outside, count(${feature.name})::INTEGER AS values FROM ${table}`,
        );
        if (row!.nulls > 0 && !feature.nullWhen) problems.push(`${table}.${feature.name}: ${row!.nulls} NULLs`);
        if (row!.outside > 0)
          problems.push(`${table}.${feature.name}: ${row!.outside} values outside ${JSON.stringify(feature.range)}`);
        if (table === 'features_train' && row!.values === 0)
          problems.push(`${table}.${feature.name}: never has a value`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('training rows carry the outcome (won, final amount, close date after the observation); scoring rows do not', async () => {
    expect(
      await count(
        conn,
        `SELECT count(*) FROM features_train WHERE won IS NULL OR won NOT IN (0, 1) OR final_amount IS NULL OR close_date IS NULL OR close_date <= as_of`,
      ),
    ).toBe(0);
    expect(
      await count(
        conn,
        `SELECT count(*) FROM features_train WHERE label_won IS DISTINCT FROM won OR final_close_date IS DISTINCT FROM close_date`,
      ),
    ).toBe(0);
    expect(
      await count(
        conn,
        `SELECT count(*) FROM features_train WHERE as_of < (SELECT created_date FROM opportunities o WHERE o.opportunity_id = features_train.opportunity_id)`,
      ),
    ).toBe(0);
    expect(
      await count(
        conn,
        `SELECT count(*) FROM features_score WHERE won IS NOT NULL OR final_amount IS NOT NULL OR close_date IS NOT NULL OR as_of <> DATE '${TEST_AS_OF}'`,
      ),
    ).toBe(0);
    // both outcomes are present, and each closed deal is seen several times during its life
    expect(await count(conn, `SELECT count(DISTINCT won) FROM features_train`)).toBe(2);
    expect(summary.trainingRows / summary.trainingDeals).toBeGreaterThan(2);
  });

  it('the scoring set is exactly the deals created by the date and not closed by then (from history, not the current stage)', async () => {
    const expected = await count(
      conn,
      `SELECT count(*) FROM opportunities o WHERE created_date <= DATE '${TEST_AS_OF}'
         AND NOT EXISTS (SELECT 1 FROM opportunity_history h WHERE h.opportunity_id = o.opportunity_id AND h.stage IN ('Closed Won', 'Closed Lost') AND h.changed_at <= DATE '${TEST_AS_OF}')`,
    );
    expect(summary.scoringRows).toBe(expected);
    expect(await count(conn, `SELECT count(*) FROM features_score`)).toBe(expected);
  });

  it('who knows whom: strengths positive, every open deal tie points at a contact of the deal', async () => {
    expect(
      await count(
        conn,
        `SELECT count(*) FROM rel_who_knows_whom WHERE NOT (strength > 0) OR interactions < 1 OR last_interaction > as_of`,
      ),
    ).toBe(0);
    expect(
      await count(
        conn,
        `SELECT count(DISTINCT opportunity_id) FROM rel_deal_contact_ties WHERE opportunity_id NOT IN (SELECT opportunity_id FROM features_score)`,
      ),
    ).toBe(0);
    expect(summary.whoKnowsWhomTies).toBe(await count(conn, `SELECT count(*) FROM rel_who_knows_whom`));
  });

  it('the k of similar past projects is a setting', async () => {
    expect(await count(conn, `SELECT max(pbm_similar_deals) FROM features_train`)).toBe(
      DEFAULT_FEATURE_CONFIG.similar.k,
    );
    await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger, config: { similar: { k: 3 } } });
    expect(await count(conn, `SELECT max(pbm_similar_deals) FROM features_train`)).toBe(3);
    await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
  });

  it('the JSON summary counts features per family and reports all supported', () => {
    const total = Object.values(summary.featuresPerFamily).reduce((sum, family) => sum + family.features, 0);
    expect(total).toBe(FEATURES.length);
    expect(FEATURES.length).toBeGreaterThanOrEqual(40);
    for (const family of Object.values(summary.featuresPerFamily)) {
      expect(family.features).toBeGreaterThanOrEqual(3);
      expect(family.supported).toBe(family.features);
    }
    expect(summary.unsupportedFamilies).toEqual({});
  });
});

describe('an export that cannot support a family', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('leaves those features NULL (not zero), lists them, and the model side does not use them', async () => {
    const source = await smallExport(tmp.dir, 300, 9);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await loadInto(conn, source);
      await conn.run(`DELETE FROM activity_participants`);
      await conn.run(`DELETE FROM activities`);
      await conn.run(`DELETE FROM opportunity_competitors`);
      const warnings: string[] = [];
      const log: Logger = { info: () => {}, warn: (message) => warnings.push(message) };
      const summary = await buildFeatures(conn, { asOf: TEST_AS_OF, log });

      const unsupported = FEATURES.filter((f) =>
        f.needs.some((need) => ['activities', 'activity_participants', 'opportunity_competitors'].includes(need)),
      ).map((f) => f.name);
      expect(Object.keys(summary.unsupportedFeatures).sort()).toEqual([...unsupported].sort());
      expect(Object.keys(summary.unsupportedFamilies).sort()).toEqual(['ecm_competitor', 'ecm_key_person']);
      expect(summary.unsupportedFamilies['ecm_key_person']).toEqual(['activities', 'activity_participants']);
      expect(summary.featuresPerFamily['ecm_decision_chain']!.supported).toBe(3); // roles known, blockers, economic buyer known
      expect(
        warnings.some((w) => w.startsWith('ECM key-person relationship: cannot be computed without activities')),
      ).toBe(true);

      for (const name of unsupported) {
        expect(await count(conn, `SELECT count(${name}) FROM features_train`), name).toBe(0);
        expect(await count(conn, `SELECT count(${name}) FROM features_score`), name).toBe(0);
      }
      const usable = await supportedFeatureNames(conn);
      expect(usable).toEqual(FEATURE_NAMES.filter((name) => !unsupported.includes(name)));
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
