import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { auc, predictOpenDeals, trainModels } from '../../models/index.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * The same generated export (with company-specific columns) in two shapes: with its stage history
 * file, and flat (one opportunities file, nothing about the past). Each runs the real load,
 * features and training. The flat one knows less (no time in stage, no pushes or regressions, no
 * stage on the closed deals' training rows), so it may rank a little worse, but it must train on
 * what it scores: a model fitted on one distribution and scoring another falls far behind
 * (issue 14: 0.62 against 0.83). The closed deals and the time split are the same in both, so the
 * holdout is the same deals.
 */
const SHAPES = ['history', 'flat'] as const;
/** On the same closed deals (measured: history 0.811, flat 0.808). */
const HOLDOUT_MARGIN = 0.02;
/**
 * On the open deals the history shape also knows each deal's stage and time in stage, which a flat
 * export's closed deals cannot give for training (measured on 186 open deals: history 0.815, flat
 * 0.746; at 5,000 opportunities, seed 7: 0.834 and 0.787, BENCHMARKS.md).
 */
const OPEN_MARGIN = 0.1;

describe('a flat export trains within a small margin of the same export with its history', () => {
  const tmp = tempDir();
  const result: Record<string, { holdoutAuc: number; holdoutDeals: number; openAuc: number; openDeals: number }> = {};
  beforeAll(async () => {
    for (const shape of SHAPES) {
      const source = join(tmp.dir, shape);
      await generate({
        out: source,
        opportunities: 2500,
        seed: 5,
        asOf: '2026-06-30',
        start: '2024-01-01',
        shape,
        customColumns: true,
        log: quietLogger,
      });
      await withDatabase(join(tmp.dir, `${shape}.duckdb`), async (conn) => {
        const loaded = await loadExports(conn, { source, log: quietLogger });
        await buildFeatures(conn, { asOf: loaded.asOf, log: quietLogger });
        const modelsDir = join(tmp.dir, `${shape}-models`);
        const trained = await trainModels(conn, {
          featureNames: FEATURE_NAMES,
          modelsDir,
          heads: false,
          importanceRepeats: 0,
          seed: 42,
          force: true,
          log: quietLogger,
        });
        if (trained.status !== 'trained') throw new Error(`${shape}: not trained (${trained.status})`);
        const predictions = await predictOpenDeals(conn, { modelsDir, log: quietLogger, explain: false });
        const truth = await queryRows<{ opportunity_id: string; won: number }>(
          conn,
          `SELECT opportunity_id, (final_outcome = 'won')::INTEGER AS won FROM read_csv('${join(source, 'ground_truth.csv')}') WHERE open_at_cut`,
        );
        const index = new Map(predictions.opportunityIds.map((id, i) => [id, i]));
        const scored = truth.filter((r) => index.has(r.opportunity_id));
        result[shape] = {
          holdoutAuc: trained.metrics.auc,
          holdoutDeals: trained.nHoldoutDeals,
          openAuc: auc(
            scored.map((r) => predictions.winProbabilities[index.get(r.opportunity_id)!]!),
            scored.map((r) => r.won),
          ),
          openDeals: scored.length,
        };
      });
    }
  }, 900_000);
  afterAll(() => tmp.cleanup());

  it(`judges the same holdout deals, the flat shape within ${HOLDOUT_MARGIN} of the history shape there, within ${OPEN_MARGIN} on open deals`, () => {
    const { history, flat } = result as Record<(typeof SHAPES)[number], (typeof result)[string]>;
    console.info(
      `holdout AUC: history ${history.holdoutAuc.toFixed(3)}, flat ${flat.holdoutAuc.toFixed(3)}; open deals (${flat.openDeals}): history ${history.openAuc.toFixed(3)}, flat ${flat.openAuc.toFixed(3)}`,
    );
    expect(flat.holdoutDeals).toBe(history.holdoutDeals);
    expect(flat.holdoutAuc).toBeGreaterThan(history.holdoutAuc - HOLDOUT_MARGIN);
    expect(flat.openDeals).toBe(history.openDeals);
    expect(flat.openAuc).toBeGreaterThan(history.openAuc - OPEN_MARGIN);
    // and far from the 0.62 of a model that trains on one distribution and scores another
    expect(flat.openAuc).toBeGreaterThan(0.72);
  });
});
