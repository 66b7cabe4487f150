/**
 * A flat export with company-specific columns, end to end: load from files written here, the nightly
 * run (features, training, scoring), then what reached the models. Issue 14: every exported column
 * reaches the models, a leaky one is left out, flat exports train on what scoring sees, short deals
 * are observed, $0 and missing amounts run to the end; issue 21: dead inputs are named.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { defaultConfig } from '../../pipeline/config/config.ts';
import { buildFeatures, type FeatureSummary } from '../../pipeline/features/build.ts';
import { auc } from '../../pipeline/base/metrics.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import { runPipeline, type RunRecord } from '../../pipeline/commands/run.ts';
import { readClosedObservations } from '../../models/win/data.ts';
import { timeWeights } from '../../models/win/time-weights.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { tempDir } from '../helpers/temp.ts';
import { formatIterate, iterate } from '../../pipeline/commands/iterate.ts';
import { featureReport } from '../../pipeline/commands/feature-report.ts';
import { FLAT_AS_OF, SHORT_DEAL, writeFlatExport } from './flat-export.ts';

const USED = [
  'custom_tender_score',
  'custom_noise_index',
  'custom_kickoff_date',
  'custom_budget_approved',
  'custom_channel_tier',
];

describe('a flat export with custom columns, through the nightly run', () => {
  const tmp = tempDir('wuwei-export-columns-');
  const paths = runPaths(join(tmp.dir, 'data', 'wuwei.duckdb'));
  let record: RunRecord;
  let features: FeatureSummary;
  let logits: Map<string, number>;

  beforeAll(async () => {
    const written = writeFlatExport(join(tmp.dir, 'export'));
    const source = written.dir;
    logits = written.logits;
    const config = defaultConfig();
    config.models.epochs = 25;
    record = await runPipeline(paths, { source, asOf: FLAT_AS_OF, report: false, config, log: quietLogger });
    features = (record.stages['training features'] ?? record.stages['features'])!.summary as FeatureSummary;
  }, 600_000);
  afterAll(() => tmp.cleanup());

  const db = <T>(work: (conn: DuckDBConnection) => Promise<T>) => withDatabase(paths.db, work);

  it('runs to the end with $0 and missing amounts, and scores every open deal', async () => {
    expect(record.outcome).toBe('succeeded');
    const [counts] = await db((conn) =>
      queryRows<{ zero: number; missing: number; open: number; scored: number }>(
        conn,
        `SELECT (SELECT count(*) FROM opportunities WHERE amount = 0)::INTEGER AS zero,
                (SELECT count(*) FROM opportunities WHERE amount IS NULL)::INTEGER AS missing,
                (SELECT count(*) FROM features_score)::INTEGER AS open,
                (SELECT count(*) FROM scores)::INTEGER AS scored`,
      ),
    );
    expect(counts!.zero).toBeGreaterThan(20);
    expect(counts!.missing).toBeGreaterThan(20);
    expect(counts!.scored).toBe(counts!.open);
    // no infinite value anywhere in the model inputs
    const infinite = await db((conn) =>
      queryRows<{ n: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n FROM features_train WHERE ${FEATURE_NAMES.map((f) => `NOT isfinite(coalesce(${f}, 0))`).join(' OR ')}`,
      ),
    );
    expect(infinite[0]!.n).toBe(0);
  });

  it('every custom column but the leaky one reaches both feature tables and the model, typed by kind', async () => {
    const columns = await db((conn) =>
      queryRows<{ table_name: string; column_name: string; data_type: string }>(
        conn,
        `SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE table_name IN ('features_train', 'features_score') AND column_name LIKE 'custom_%' ORDER BY ALL`,
      ),
    );
    for (const table of ['features_train', 'features_score']) {
      const types = Object.fromEntries(
        columns.filter((c) => c.table_name === table).map((c) => [c.column_name, c.data_type]),
      );
      expect(types).toMatchObject({
        custom_tender_score: 'DOUBLE',
        custom_noise_index: 'DOUBLE',
        custom_kickoff_date: 'DOUBLE',
        custom_budget_approved: 'DOUBLE',
        custom_channel_tier: 'VARCHAR',
      });
      expect(types).not.toHaveProperty('custom_loss_reason');
    }
    // the date is its age in days at the observation: a deal observed at creation sees a kickoff 0-20 days ahead
    const [ages] = await db((conn) =>
      queryRows<{ low: number; high: number }>(
        conn,
        `SELECT min(custom_kickoff_date) AS low, max(custom_kickoff_date) AS high FROM features_train WHERE as_of = (SELECT created_date FROM opportunities o WHERE o.opportunity_id = features_train.opportunity_id)`,
      ),
    );
    expect(ages!.low).toBeGreaterThanOrEqual(-20);
    expect(ages!.high).toBeLessThanOrEqual(0);

    const metadata = JSON.parse(readFileSync(join(paths.models, record.modelVersion!, 'metadata.json'), 'utf8')) as {
      featureNames: string[];
      categoricalNames: string[];
    };
    const inputs = [...metadata.featureNames, ...metadata.categoricalNames];
    expect(inputs).toEqual(
      expect.arrayContaining([...USED, 'segment', 'product_line', 'lead_source', 'type', 'industry', 'region']),
    );
    expect(inputs).not.toContain('custom_loss_reason');
    expect(features.exportColumns.used).toEqual(expect.arrayContaining(USED));
  });

  it('explains scores with the export columns in plain words ("Channel tier is gold")', async () => {
    const rows = await db((conn) =>
      queryRows<{ factors: string }>(
        conn,
        `SELECT top_positive_factors || '; ' || top_negative_factors AS factors FROM scores`,
      ),
    );
    const text = rows.map((r) => r.factors).join('\n');
    expect(text).toMatch(/Channel tier is (gold|silver|bronze)/);
    expect(text).toMatch(/Tender score \([+−]/);
    expect(text).not.toContain('custom_');
  });

  it('leaves the leaky column out, says why in the run record and export_columns, and keeps the honest ones', async () => {
    expect(Object.keys(features.exportColumns.leftOut)).toEqual(['custom_loss_reason']);
    expect(features.exportColumns.leftOut['custom_loss_reason']).toMatch(/closed deals/);
    const saved = JSON.parse(readFileSync(record.recordFile, 'utf8')) as RunRecord;
    expect(Object.keys(saved.featureChecks!.leftOut)).toEqual(['custom_loss_reason']);
    expect(saved.featureChecks!.deadFeatures).toHaveProperty('custom_legacy_flag');
    expect(saved.featureChecks!.dealState).toMatch(/^flat export/);
    const rows = await db((conn) =>
      queryRows<{ source_column: string; used: boolean; encoding: string }>(
        conn,
        `SELECT source_column, used, encoding FROM export_columns ORDER BY position`,
      ),
    );
    expect(rows.find((r) => r.source_column === 'Loss Reason')).toMatchObject({ used: false, encoding: 'category' });
    expect(rows.find((r) => r.source_column === 'Tender Score')).toMatchObject({ used: true, encoding: 'number' });
  });

  it('the custom columns carry their signal into the model: its three signal columns lead, near the oracle, above the best column alone', async () => {
    const holdoutFrom = (record.stages['train']!.summary as { holdoutFrom: string }).holdoutFrom;
    const rows = await db((conn) =>
      queryRows<{ id: string; won: number; tender: number }>(
        conn,
        `SELECT opportunity_id AS id, label_won::DOUBLE AS won, custom_tender_score AS tender FROM features_train WHERE final_close_date >= DATE '${holdoutFrom}'`,
      ),
    );
    const labels = rows.map((r) => r.won);
    const oracle = auc(
      rows.map((r) => logits.get(r.id)!),
      labels,
    );
    const tenderAlone = auc(
      rows.map((r) => r.tender),
      labels,
    );
    const metrics = record.metrics as { auc: number; baselineAuc: number };
    expect(metrics.baselineAuc).toBeCloseTo(0.5, 5); // no stage in a flat export: the CRM baseline knows nothing
    const importance = (record.stages['train']!.summary as { topFeatures: { feature: string }[] }).topFeatures.map(
      (f) => f.feature,
    );
    // the planted signals are what the model leans on most; the noise column is not among them
    expect(new Set(importance.slice(0, 3))).toEqual(
      new Set(['custom_tender_score', 'custom_channel_tier', 'custom_budget_approved']),
    );
    expect(metrics.auc).toBeGreaterThan(oracle - 0.05);
    expect(metrics.auc).toBeGreaterThan(tenderAlone + 0.005);
  });

  it('training rows carry the same state as scoring rows: amount in both, stage in neither', async () => {
    expect(features.dealState).toMatch(/^flat export/);
    const shares = await db((conn) =>
      queryRows<{ purpose: string; amount: number; stage: number; log_amount: number }>(
        conn,
        `SELECT 'train' AS purpose, avg((amount IS NULL)::INTEGER) AS amount, avg((stage IS NULL)::INTEGER) AS stage, avg((pbm_money_log_amount IS NULL)::INTEGER) AS log_amount FROM features_train
         UNION ALL
         SELECT 'score', avg((amount IS NULL)::INTEGER), avg((stage IS NULL)::INTEGER), avg((pbm_money_log_amount IS NULL)::INTEGER) FROM features_score`,
      ),
    );
    const train = shares.find((s) => s.purpose === 'train')!;
    const score = shares.find((s) => s.purpose === 'score')!;
    expect(train.amount).toBeLessThan(0.1);
    expect(Math.abs(train.amount - score.amount)).toBeLessThan(0.08);
    expect(train.stage).toBe(1);
    expect(score.stage).toBe(1);
    // and the skew check finds no input missing in one and present in the other
    const gaps = await db((conn) =>
      queryRows<{ feature: string }>(
        conn,
        `SELECT feature FROM feature_skew WHERE abs(train_missing_share - score_missing_share) > 0.2`,
      ),
    );
    expect(gaps).toEqual([]);
  });

  it('a deal closed two days after creation has a training row, and it weighs more than 0', async () => {
    const rows = await db((conn) =>
      queryRows<{ as_of: string }>(
        conn,
        `SELECT strftime(as_of, '%Y-%m-%d') AS as_of FROM features_train WHERE opportunity_id = '${SHORT_DEAL}'`,
      ),
    );
    expect(rows).toEqual([{ as_of: '2026-01-10' }]);
    expect(features.closedDealsNotObserved).toBe(0);
    const data = await db((conn) =>
      readClosedObservations(conn, 'features_train', ['pbm_timing_days_in_stage', 'pbm_timing_deal_age_days']),
    );
    const weights = timeWeights(data);
    const row = data.opportunityIds.indexOf(SHORT_DEAL);
    expect(weights[row]).toBeGreaterThan(0);
  });

  it('wuwei iterate --family custom judges the export columns like a catalog family', async () => {
    const summary = await db((conn) => iterate(conn, { family: 'custom', seed: 3, epochs: 4, log: quietLogger }));
    expect(summary.rebuild.features).toEqual(expect.arrayContaining([...USED, 'segment', 'product_line']));
    expect(summary.rebuild.features).not.toContain('stage');
    expect(summary.univariate.find((u) => u.feature === 'custom_tender_score')!.auc).toBeGreaterThan(0.65);
    // without the export's own columns only weak catalog features are left: the family adds a lot
    expect(summary.contribution!.auc).toBeGreaterThan(0.1);
    expect(formatIterate(summary)).toContain('Export columns and deal attributes (custom)');
  });

  it("the feature report lists the export columns with the guard's verdict", async () => {
    const report = await db((conn) =>
      featureReport(conn, { asOf: FLAT_AS_OF, source: 'the flat test export', log: quietLogger }),
    );
    expect(report).toContain('## Export columns');
    expect(report).toMatch(
      /\| Loss Reason \| `custom_loss_reason` \| category \| no \| {2}\| filled on \d+% of closed deals/,
    );
    expect(report).toMatch(/\| Tender Score \| `custom_tender_score` \| number \| yes \| 0\.[6-9]\d\d \| {2}\|/);
  });

  it('names the dead inputs (the constant custom column, the stage a flat export cannot give) with the field they need', async () => {
    const health = await db((conn) =>
      queryRows<{ feature: string; status: string; needs: string }>(
        conn,
        `SELECT feature, status, needs FROM feature_health WHERE status <> 'ok'`,
      ),
    );
    expect(health).toContainEqual({
      feature: 'custom_legacy_flag',
      status: 'constant',
      needs: 'opportunities.Legacy Flag',
    });
    expect(health.find((h) => h.feature === 'pbm_timing_stage_index')).toMatchObject({
      status: 'empty',
      needs: expect.stringContaining('opportunity_history.stage'),
    });
    expect(features.deadFeatures['custom_legacy_flag']).toMatch(/^constant/);
    const skew = await db((conn) => queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM feature_skew`));
    expect(skew[0]!.n).toBeGreaterThan(20);
  });
});

describe('known_at in a mapping overrules the leakage guard', () => {
  const tmp = tempDir('wuwei-known-at-');
  afterAll(() => tmp.cleanup());

  it('a column declared known at creation is used, one declared known at close is left out', async () => {
    const source = writeFlatExport(join(tmp.dir, 'export'), { opportunities: 600, seed: 4 }).dir;
    const same = (header: string) => Object.fromEntries(header.split(',').map((c) => [c, c]));
    const opportunities = readFileSync(join(source, 'opportunities.csv'), 'utf8').split('\n')[0]!;
    const contract = opportunities
      .split(',')
      .filter((c) => /^[a-z_]+$/.test(c))
      .join(',');
    const mapping = {
      name: 'flat-crm',
      known_at: { 'Loss Reason': 'creation', 'Noise Index': 'close' },
      entities: {
        accounts: { file: 'accounts', columns: same('account_id,name,industry,region,segment,created_date') },
        users: { file: 'users', columns: same('user_id,name,role,hire_date') },
        opportunities: { file: 'opportunities', columns: same(contract) },
      },
    };
    const mappingFile = join(tmp.dir, 'mapping.json');
    writeFileSync(mappingFile, JSON.stringify(mapping));
    await withDatabase(':memory:', async (conn) => {
      await loadExports(conn, { source, mapping: mappingFile, asOf: FLAT_AS_OF, log: quietLogger });
      const summary = await buildFeatures(conn, { asOf: FLAT_AS_OF, log: quietLogger });
      expect(summary.exportColumns.used).toContain('custom_loss_reason');
      expect(summary.exportColumns.used).not.toContain('custom_noise_index');
      expect(summary.exportColumns.leftOut['custom_noise_index']).toMatch(/known_at: close/);
    });
  });
});
