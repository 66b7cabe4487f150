/**
 * `wuwei iterate`: rebuilding one family gives exactly the feature tables of a full build (every
 * family, every column), touches no other family's columns, honours unsupported exports as the full
 * build does, and its quick evaluation leaves the model registry and model files as they were.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, quoteIdent, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { FAMILY_LABELS, FEATURES, type FeatureFamily } from '../../pipeline/features/catalog.ts';
import { rebuildFamily } from '../../pipeline/features/rebuild-family.ts';
import { formatIterate, iterate, type IterateSummary } from '../../pipeline/commands/iterate.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { trainWinModel } from '../../models/index.ts';
import { wuwei } from '../helpers/cli.ts';
import { loadInto, smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const FEATURE_TABLES = ['fct_opportunity_features', 'features_train', 'features_score', 'feature_support'];
const REGISTRY_TABLES = ['model_versions', 'model_curves', 'model_feature_importance'];
const FAMILIES = Object.keys(FAMILY_LABELS) as FeatureFamily[];
const featuresOf = (family: FeatureFamily) => FEATURES.filter((f) => f.family === family).map((f) => f.name);

/**
 * DuckDB sums doubles in parallel, so two full builds of the same data already differ in the last
 * bits (~1e-14) of summed strengths; on one thread both builds sum in the same order and must match exactly.
 */
async function singleThreaded<T>(db: string, work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  return withDatabase(db, async (conn) => {
    await conn.run('SET threads = 1');
    return work(conn);
  });
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(conn, `SELECT (${sql})::INTEGER AS n`);
  return row!.n;
}

async function snapshot(conn: DuckDBConnection, tables: string[]): Promise<void> {
  for (const table of tables)
    await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(`ref_${table}`)} AS SELECT * FROM ${quoteIdent(table)}`);
}

/** Tables that differ from their snapshot: other columns, or any row not in both (NULLs compare equal). */
async function differingTables(conn: DuckDBConnection, tables: string[]): Promise<string[]> {
  const differing: string[] = [];
  for (const table of tables) {
    const columns = async (name: string) =>
      (await queryRows<{ column_name: string }>(conn, `DESCRIBE ${quoteIdent(name)}`))
        .map((r) => r.column_name)
        .join(',');
    const [a, b] = [quoteIdent(table), quoteIdent(`ref_${table}`)];
    const same =
      (await columns(table)) === (await columns(`ref_${table}`)) &&
      (await count(conn, `SELECT count(*) FROM ${a}`)) === (await count(conn, `SELECT count(*) FROM ${b}`)) &&
      (await count(conn, `SELECT count(*) FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})`)) === 0 &&
      (await count(conn, `SELECT count(*) FROM (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})`)) === 0;
    if (!same) differing.push(table);
  }
  return differing;
}

/** Overwrites columns in every feature table with a value no build produces (and marks them unsupported). */
async function spoil(conn: DuckDBConnection, columns: string[]): Promise<void> {
  const set = columns.map((name) => `${quoteIdent(name)} = -12345`).join(', ');
  for (const table of ['fct_opportunity_features', 'features_train', 'features_score'])
    await conn.run(`UPDATE ${table} SET ${set}`);
  await conn.run(
    `UPDATE feature_support SET supported = NOT supported WHERE feature IN (${columns.map((c) => `'${c}'`).join(', ')})`,
  );
}

describe('rebuilding one feature family', () => {
  const tmp = tempDir('wuwei-iterate-');
  const db = join(tmp.dir, 'wuwei.duckdb');
  const modelsDir = join(tmp.dir, 'models');
  let source = '';
  let activeVersion = '';

  beforeAll(async () => {
    source = await smallExport(tmp.dir, 2000, 11);
    await singleThreaded(db, async (conn) => {
      await loadInto(conn, source);
      await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
      await snapshot(conn, FEATURE_TABLES);
      const featureNames = FEATURES.map((f) => f.name);
      const trained = await trainWinModel(conn, {
        featureNames,
        modelsDir,
        seed: 3,
        epochs: 3,
        heads: false,
        importanceRepeats: 0,
        log: quietLogger,
      });
      activeVersion = trained.version;
      await snapshot(conn, REGISTRY_TABLES);
    });
  });
  afterAll(() => tmp.cleanup());

  it("gives exactly the full build's feature tables, for every family and every column", async () => {
    await singleThreaded(db, async (conn) => {
      for (const family of FAMILIES) {
        await spoil(conn, featuresOf(family));
        expect(await differingTables(conn, FEATURE_TABLES), `${family} spoiled`).not.toEqual([]);
        const rebuilt = await rebuildFamily(conn, { family, log: quietLogger });
        expect(rebuilt.asOf).toBe(TEST_AS_OF);
        expect(rebuilt.features).toEqual(featuresOf(family));
        expect(await differingTables(conn, FEATURE_TABLES), `${family} rebuilt`).toEqual([]);
      }
    });
  });

  it("replaces only the family's columns and runs only the models they need", async () => {
    await singleThreaded(db, async (conn) => {
      const other = featuresOf('pbm_timing')[0]!;
      await spoil(conn, [...featuresOf('ecm_competitor'), other]);
      const rebuilt = await rebuildFamily(conn, { family: 'ecm_competitor', log: quietLogger });
      expect(rebuilt.models).toContain('int_competitor_history');
      for (const heavy of ['int_account_history', 'int_similar_deals', 'int_deal_activity', 'int_buying_group'])
        expect(rebuilt.models).not.toContain(heavy);
      for (const table of ['fct_opportunity_features', 'features_train', 'features_score']) {
        expect(
          await count(conn, `SELECT count(*) FROM ${table} WHERE ${other} IS DISTINCT FROM -12345`),
          `${table}.${other} kept`,
        ).toBe(0);
      }
      await rebuildFamily(conn, { family: 'pbm_timing', log: quietLogger });
      expect(await differingTables(conn, FEATURE_TABLES)).toEqual([]);
    });
  });

  it('quick evaluation with and without the family: nothing registered, activated or saved', async () => {
    const filesBefore = readdirSync(modelsDir, { recursive: true }).sort();
    let summary: IterateSummary | undefined;
    await singleThreaded(db, async (conn) => {
      summary = await iterate(conn, {
        family: 'pbm_money',
        seed: 1,
        epochs: 2,
        rowsPerEpoch: 2048,
        repeats: 2,
        log: quietLogger,
      });
      expect(await differingTables(conn, [...REGISTRY_TABLES, ...FEATURE_TABLES])).toEqual([]);
    });
    expect(readdirSync(modelsDir, { recursive: true }).sort()).toEqual(filesBefore);
    const s = summary!;
    expect(s.registered).toBe(false);
    expect(s.activeModel?.version).toBe(activeVersion);
    expect(s.univariate.map((u) => u.feature)).toEqual(featuresOf('pbm_money'));
    expect(s.quick.sets.map((set) => set.name)).toEqual(['all features', 'without pbm_money']);
    expect(s.quick.sets[0]!.features - s.quick.sets[1]!.features).toBe(featuresOf('pbm_money').length);
    expect(s.quick.fit).toMatchObject({ epochs: 2, maxRowsPerEpoch: 2048, seeds: [1, 2] });
    // the same seeds with and without the family, so the added AUC pairs run with run
    const paired = s.quick.sets[0]!.runs.map((run, k) => run.holdout.auc - s.quick.sets[1]!.runs[k]!.holdout.auc);
    expect(s.quick.sets[1]!.runs.map((run) => run.seed)).toEqual([1, 2]);
    expect(s.contributionAucRange).toEqual([Math.min(...paired), Math.max(...paired)]);
    for (const metrics of [s.withFamily, s.withoutFamily!]) {
      expect(metrics.auc).toBeGreaterThan(0.5);
      expect(Number.isFinite(metrics.logLoss) && Number.isFinite(metrics.ece)).toBe(true);
    }
    expect(s.contribution!.auc).toBeCloseTo(s.withFamily.auc - s.withoutFamily!.auc, 12);
    const text = formatIterate(s);
    for (const line of [
      `active model ${activeVersion}`,
      'quick model, without pbm_money',
      'pbm_money adds',
      'AUC added per seed',
      'nothing registered or activated',
    ])
      expect(text).toContain(line);
  });

  it('the CLI: --json summary, registry untouched; an unknown family is one line naming the valid ones', async () => {
    const run = await wuwei([
      'iterate',
      '--family',
      'ecm_decision_chain',
      '--db',
      db,
      '--json',
      '--epochs',
      '1',
      '--rows-per-epoch',
      '1024',
      '--no-ablation',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as IterateSummary;
    expect(summary.rebuild.family).toBe('ecm_decision_chain');
    expect(summary.withoutFamily).toBeNull();
    expect(summary.quick.sets).toHaveLength(1);
    await singleThreaded(db, async (conn) =>
      expect(await differingTables(conn, [...REGISTRY_TABLES, ...FEATURE_TABLES])).toEqual([]),
    );

    const unknown = await wuwei(['iterate', '--family', 'pbm_vibes', '--db', db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trim().split('\n')).toEqual([
      `wuwei: unknown feature family 'pbm_vibes': choose one of ${FAMILIES.join(', ')}, or custom (the export's own columns)`,
    ]);
  });
});

describe('rebuilding a family an export cannot support', () => {
  const tmp = tempDir('wuwei-iterate-empty-');
  afterAll(() => tmp.cleanup());

  it('leaves its features NULL in the model tables and unsupported, as the full build does', async () => {
    const source = await smallExport(tmp.dir, 600, 4);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run('SET threads = 1');
      await loadInto(conn, source);
      await conn.run('DELETE FROM opportunity_competitors');
      await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });
      await snapshot(conn, FEATURE_TABLES);
      await spoil(conn, featuresOf('ecm_competitor'));
      const rebuilt = await rebuildFamily(conn, { family: 'ecm_competitor', log: quietLogger });
      expect(rebuilt.unsupported).toEqual(featuresOf('ecm_competitor'));
      expect(await differingTables(conn, FEATURE_TABLES)).toEqual([]);
      expect(await count(conn, `SELECT count(*) FROM features_train WHERE ecm_competitor_count IS NOT NULL`)).toBe(0);

      // a feature new to the catalog has no column until the full build adds it
      await conn.run('ALTER TABLE features_train DROP COLUMN ecm_competitor_incumbent');
      await expect(rebuildFamily(conn, { family: 'ecm_competitor', log: quietLogger })).rejects.toThrow(
        'features_train has no column ecm_competitor_incumbent yet: run `wuwei features` once to add new features',
      );

      // after a night without retraining the training table is an earlier date's: no family can be rebuilt over it
      await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger, training: false });
      await expect(rebuildFamily(conn, { family: 'ecm_competitor', log: quietLogger })).rejects.toThrow(
        'the last feature build was for scoring only (a night without retraining): run `wuwei features` first',
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe('rebuilding before any full build', () => {
  it('says to run `wuwei features` first', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await expect(rebuildFamily(conn, { family: 'pbm_money', log: quietLogger })).rejects.toThrow(
        'no features built yet: run `wuwei features` first',
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
