/**
 * Wuwei against the scikit-learn peers on one loaded export, judged on the deals open at the cut
 * (ground_truth.csv): Wuwei trains and scores as `wuwei train` and `wuwei score` do, without the
 * refit on the holdout that the peers do not learn from either; the peers get
 * Wuwei's feature rows with the same time split and observation points, plus the raw export columns
 * known at creation (bench/models/raw-columns.ts, custom columns included, leaky ones left out),
 * and score the same open deals. Prints JSON; the per-shape table in BENCHMARKS.md comes from it.
 *
 *   npx tsx bench/models/shape-peers.ts --db /tmp/s.duckdb --truth /tmp/s/ground_truth.csv [--seed 42]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { queryRows, quoteLiteral, withDatabase } from '../../pipeline/base/db.ts';
import { stderrLogger } from '../../pipeline/base/log.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { spawnCollect } from '../child-stage.ts';
import { exportWithSplit } from '../peers/sklearn.ts';
import { recordShapePeers } from './shape-peers-record.ts';
import { auc, predictOpenDeals, trainModels } from '../../models/index.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    truth: { type: 'string' },
    seed: { type: 'string', default: '42' },
    /** Record the result under this shape name in bench/shape-peers.json and re-render BENCHMARKS.md. */
    record: { type: 'string' },
    opportunities: { type: 'string' },
    command: { type: 'string' },
  },
});
if (!values.db || !values.truth) throw new Error('--db and --truth are required');
const split = { holdoutFraction: 0.2, validationFraction: 0.15 };

const wuwei = await withDatabase(values.db, async (conn) => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'wuwei-shape-peers-'));
  try {
    const trained = await trainModels(conn, {
      featureNames: FEATURE_NAMES,
      modelsDir,
      heads: false,
      seed: Number(values.seed),
      force: true,
      importanceRepeats: 0,
      // The peers learn from the fit rows only; the nightly refit on the holdout would give Wuwei more history.
      refitOnHistory: false,
      log: stderrLogger,
      ...split,
    });
    const predictions = await predictOpenDeals(conn, { modelsDir, log: stderrLogger, explain: false });
    return {
      holdoutAuc: trained.status === 'trained' ? trained.metrics.auc : null,
      open: new Map(predictions.opportunityIds.map((id, i) => [id, predictions.winProbabilities[i]!])),
    };
  } finally {
    rmSync(modelsDir, { recursive: true, force: true });
  }
});

const dir = mkdtempSync(join(tmpdir(), 'wuwei-shape-peers-'));
try {
  const [trainCsv, scoreCsv, predictionsCsv] = ['train.csv', 'score.csv', 'predictions.csv'].map((name) =>
    join(dir, name),
  ) as [string, string, string];
  const { leaky } = await exportWithSplit(values.db, trainCsv, { ...split, scoreCsv });
  const run = await spawnCollect(
    '/usr/bin/python3',
    [join(import.meta.dirname, '../../bench/peers/sklearn_peer.py'), trainCsv, scoreCsv, predictionsCsv],
    process.env,
  );
  if (run.code !== 0) throw new Error(`sklearn peer failed: ${run.stderr}`);
  const peers = JSON.parse(run.stdout) as Record<string, any>;
  const judged = await withDatabase(':memory:', (conn) =>
    queryRows<Record<string, any>>(
      conn,
      `SELECT p.*, (t.final_outcome = 'won')::INTEGER AS won FROM read_csv(${quoteLiteral(predictionsCsv)}) AS p
       JOIN read_csv(${quoteLiteral(values.truth!)}) AS t USING (opportunity_id) WHERE t.open_at_cut`,
    ),
  );
  const labels = judged.map((r) => r['won'] as number);
  const names = Object.keys(judged[0] ?? {}).filter((k) => k !== 'opportunity_id' && k !== 'won');
  const openAuc = Object.fromEntries(
    names.map((name) => [
      name,
      auc(
        judged.map((r) => r[name] as number),
        labels,
      ),
    ]),
  );
  const wuweiOpen = auc(
    judged.map((r) => wuwei.open.get(r['opportunity_id'])!),
    labels,
  );
  const best = Object.entries(openAuc).sort((a, b) => b[1] - a[1])[0]!;
  const summary = {
    openDeals: judged.length,
    leakyColumnsLeftOut: leaky,
    wuwei: { holdoutAuc: wuwei.holdoutAuc, openAuc: wuweiOpen },
    peers: Object.fromEntries(
      names.map((name) => [name, { holdoutAuc: peers[name]?.holdout_auc, openAuc: openAuc[name] }]),
    ),
    bestPeer: { name: best[0], openAuc: best[1] },
    wuweiMinusBestPeer: wuweiOpen - best[1],
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (values.record)
    recordShapePeers(
      values.record,
      Number(values.opportunities ?? 0),
      values.command ?? 'bench/models/shape-peers.ts',
      summary,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
