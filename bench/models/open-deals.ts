/**
 * Benchmark on generated data: trains on a database built by `wuwei load` + `wuwei features` from a
 * `wuwei generate` export, scores the deals open at the cut and judges them against the export's
 * ground_truth.csv (which the pipeline itself never reads). Tuning happens on the time holdout of
 * closed deals (printed by training); this only reports.
 *
 *   npx tsx bench/models/open-deals.ts --db /tmp/g.duckdb --truth /tmp/g/ground_truth.csv [--ensemble 3] [--seed 42] [--hidden 64,32]
 * prints, among the rest, the open deals' summed probabilities over the oracle's, per stage (byStage).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { queryRows, quoteLiteral, withDatabase } from '../../pipeline/base/db.ts';
import { stderrLogger } from '../../pipeline/base/log.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { auc, expectedCalibrationError, predictOpenDeals, trainModels } from '../../models/index.ts';
import { amountMetrics, durationMetrics } from '../../models/regression-metrics.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    truth: { type: 'string' },
    seed: { type: 'string', default: '42' },
    ensemble: { type: 'string', default: '1' },
    hidden: { type: 'string' },
    dropout: { type: 'string' },
    patience: { type: 'string' },
    lr: { type: 'string' },
    l2: { type: 'string' },
    batch: { type: 'string' },
    validation: { type: 'string' },
    exclude: { type: 'string' },
    'no-heads': { type: 'boolean', default: false },
    attributes: { type: 'boolean', default: false },
    'no-explain': { type: 'boolean', default: false },
    /** Folds of cross-fitted calibration (0: Platt on the validation split). */
    folds: { type: 'string' },
    /** Write each open deal's prediction, oracle, outcome and stage to this CSV. */
    dump: { type: 'string' },
  },
});
if (!values.db || !values.truth) throw new Error('--db and --truth are required');

await withDatabase(values.db, async (conn) => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'wuwei-bench-'));
  if (values.attributes) {
    // experiment: the deal's fixed attributes from the export, as the mart could carry them
    for (const table of ['features_train', 'features_score']) {
      await conn.run(
        `CREATE OR REPLACE TABLE ${table} AS SELECT f.*, o.product_line, o.lead_source, a.segment FROM ${table} f JOIN opportunities o USING (opportunity_id) LEFT JOIN accounts a ON a.account_id = o.account_id`,
      );
    }
  }
  const started = performance.now();
  const trained = await trainModels(conn, {
    featureNames: FEATURE_NAMES.filter((name) => !(values.exclude ?? '').split(',').includes(name)),
    modelsDir,
    heads: !values['no-heads'],
    ...(values.batch ? { batchSize: Number(values.batch) } : {}),
    ...(values.validation ? { validationFraction: Number(values.validation) } : {}),
    ...(values.folds ? { calibrationFolds: Number(values.folds) } : {}),
    seed: Number(values.seed),
    ensembleSize: Number(values.ensemble),
    force: true,
    ...(values.hidden ? { hidden: values.hidden.split(',').map(Number) } : {}),
    ...(values.dropout ? { dropout: Number(values.dropout) } : {}),
    ...(values.patience ? { patience: Number(values.patience) } : {}),
    ...(values.lr ? { learningRate: Number(values.lr) } : {}),
    ...(values.l2 ? { l2: Number(values.l2) } : {}),
    log: stderrLogger,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const scoreStart = performance.now();
  const predictions = await predictOpenDeals(conn, { modelsDir, log: stderrLogger, explain: !values['no-explain'] });
  const scoreSeconds = (performance.now() - scoreStart) / 1000;

  const truth = await queryRows<{
    opportunity_id: string;
    won: number;
    oracle: number;
    final_amount: number | null;
    days: number | null;
    stage_probability: number;
    stage: string | null;
    amount: number;
    rep_days: number;
  }>(
    conn,
    `SELECT t.opportunity_id, (t.final_outcome = 'won')::INTEGER AS won, t.true_win_probability::DOUBLE AS oracle,
            t.final_amount::DOUBLE AS final_amount, date_diff('day', f.as_of, t.final_close_date::DATE)::DOUBLE AS days,
            f.stage_probability::DOUBLE AS stage_probability, f.stage, f.amount::DOUBLE AS amount, greatest(0, date_diff('day', f.as_of, f.expected_close_date))::DOUBLE AS rep_days
     FROM read_csv(${quoteLiteral(values.truth!)}) AS t JOIN features_score AS f USING (opportunity_id)
     WHERE t.final_outcome IN ('won', 'lost')`,
  );
  const index = new Map(predictions.opportunityIds.map((id, i) => [id, i]));
  const rows = truth.filter((row) => index.has(row.opportunity_id));
  const at = (row: { opportunity_id: string }) => index.get(row.opportunity_id)!;
  const labels = rows.map((r) => r.won);
  const model = rows.map((r) => predictions.winProbabilities[at(r)]!);
  if (values.dump) {
    const lines = rows.map((r) =>
      [r.opportunity_id, predictions.winProbabilities[at(r)], r.oracle, r.won, r.stage_probability].join(','),
    );
    writeFileSync(values.dump, ['opportunity_id,model,oracle,won,stage_probability', ...lines].join('\n') + '\n');
  }
  const won = rows.filter((r) => r.won === 1 && r.final_amount);
  const closed = rows.filter((r) => r.days !== null);
  const summary = {
    source: predictions.source,
    trainStatus: trained.status,
    trainSeconds: Number(trainSeconds.toFixed(1)),
    scoreSeconds: Number(scoreSeconds.toFixed(2)),
    openDealsJudged: rows.length,
    holdout:
      trained.status === 'trained'
        ? {
            auc: trained.metrics.auc,
            baselineAuc: trained.metrics.baselineAuc,
            ece: trained.metrics.ece,
            amount: trained.amount,
            close: trained.close,
          }
        : null,
    openDeals: {
      aucModel: auc(model, labels),
      aucStage: auc(
        rows.map((r) => r.stage_probability),
        labels,
      ),
      aucOracle: auc(
        rows.map((r) => r.oracle),
        labels,
      ),
      eceModel: expectedCalibrationError(model, labels),
      eceOracle: expectedCalibrationError(
        rows.map((r) => r.oracle),
        labels,
      ),
      // Against the oracle's probabilities rather than the outcomes: free of the outcomes' coin-flip noise,
      // which on a few hundred open deals alone is an ECE of about 0.05 (eceOracle).
      eceModelVsOracle: expectedCalibrationError(
        model,
        rows.map((r) => r.oracle),
      ),
      meanOracle: rows.reduce((a, r) => a + r.oracle, 0) / rows.length,
      meanPredicted: model.reduce((a, b) => a + b, 0) / model.length,
      // Where a level error sits (issue 18: open early-stage deals came out at x0.84-0.88 of the oracle on 50k)
      byStage: [...new Set(rows.map((r) => r.stage ?? ''))].sort().map((stage) => {
        const inStage = rows.filter((r) => (r.stage ?? '') === stage);
        const predicted = inStage.reduce((sum, r) => sum + predictions.winProbabilities[at(r)]!, 0);
        const oracle = inStage.reduce((sum, r) => sum + r.oracle, 0);
        return { stage, deals: inStage.length, predictedOverOracle: oracle > 0 ? predicted / oracle : null };
      }),
      winRate: labels.reduce((a, b) => a + b, 0) / labels.length,
      amountWape: predictions.expectedAmounts
        ? amountMetrics(
            won.map((r) => predictions.expectedAmounts![at(r)]!),
            won.map((r) => r.final_amount!),
          )
        : null,
      repAmountWape: amountMetrics(
        won.map((r) => r.amount),
        won.map((r) => r.final_amount!),
      ),
      closeMae: predictions.closeDays
        ? durationMetrics(
            closed.map((r) => predictions.closeDays!.median[at(r)]!),
            closed.map((r) => r.days!),
          )
        : null,
      repCloseMae: durationMetrics(
        closed.map((r) => r.rep_days),
        closed.map((r) => r.days!),
      ),
    },
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
});
