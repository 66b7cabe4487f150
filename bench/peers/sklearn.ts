/**
 * Runs the scikit-learn peer (sklearn_peer.py, Debian's python3-sklearn) on the feature table the
 * benchmark's Wuwei run built, with Wuwei's own time split, so the AUCs compare like with like.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteIdent, quoteLiteral, withDatabase } from '../../pipeline/base/db.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { readClosedObservations } from '../../models/win/data.ts';
import { DEFAULT_MAX_TRAINING_DEALS } from '../../models/win/train.ts';
import { splitByCloseDate } from '../../models/win/split.ts';
import { spawnCollect } from '../child-stage.ts';
import { rawColumns } from '../models/raw-columns.ts';

// Debian's interpreter, where apt installs sklearn; a `python3` earlier on PATH (pyenv) may lack it.
const DEBIAN_PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'sklearn_peer.py');

export interface SklearnPeer {
  trainRows: number;
  holdoutRows: number;
  features: number;
  histGradientBoosting: { fitSeconds: number; holdoutAuc: number };
  logisticRegression: { fitSeconds: number; holdoutAuc: number };
  /** Gradient boosting on the features plus the raw export columns known at creation, and on those alone. */
  histGradientBoostingFeaturesAndRaw?: { fitSeconds: number; holdoutAuc: number };
  histGradientBoostingRawOnly?: { fitSeconds: number; holdoutAuc: number };
}

export type PeerOutcome<T> = { ok: true; result: T } | { ok: false; reason: string };

export async function runSklearnPeer(
  dbPath: string,
  split: { holdoutFraction: number; validationFraction: number },
): Promise<PeerOutcome<SklearnPeer>> {
  if (!existsSync(DEBIAN_PYTHON))
    return { ok: false, reason: `${DEBIAN_PYTHON} not found (apt-get install python3-sklearn python3-pandas)` };
  const probe = await spawnCollect(DEBIAN_PYTHON, ['-c', 'import sklearn, pandas'], process.env);
  if (probe.code !== 0)
    return {
      ok: false,
      reason: 'python3-sklearn or python3-pandas not installed (apt-get install python3-sklearn python3-pandas)',
    };

  const dir = mkdtempSync(join(tmpdir(), 'wuwei-sklearn-'));
  try {
    const csv = join(dir, 'features.csv');
    await exportWithSplit(dbPath, csv, split);
    const run = await spawnCollect(DEBIAN_PYTHON, [SCRIPT, csv], process.env);
    if (run.code !== 0) return { ok: false, reason: `sklearn peer failed: ${run.stderr.trim().split('\n').at(-1)}` };
    const raw = JSON.parse(run.stdout) as Record<string, any>;
    const peer = (entry: { fit_seconds: number; holdout_auc: number }) => ({
      fitSeconds: entry.fit_seconds,
      holdoutAuc: entry.holdout_auc,
    });
    return {
      ok: true,
      result: {
        trainRows: raw.train_rows,
        holdoutRows: raw.holdout_rows,
        features: raw.features,
        histGradientBoosting: peer(raw.hist_gradient_boosting),
        logisticRegression: peer(raw.logistic_regression),
        ...(raw.hist_gradient_boosting_features_and_raw
          ? { histGradientBoostingFeaturesAndRaw: peer(raw.hist_gradient_boosting_features_and_raw) }
          : {}),
        ...(raw.hist_gradient_boosting_raw_only
          ? { histGradientBoostingRawOnly: peer(raw.hist_gradient_boosting_raw_only) }
          : {}),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes features_train with a `part` column from Wuwei's own split of deals by close date, and the
 * raw export columns known at creation (raw-columns.ts) on the same observation rows; with
 * `scoreCsv`, the open deals' rows (features_score) with the same columns too.
 */
export async function exportWithSplit(
  dbPath: string,
  csv: string,
  options: { holdoutFraction: number; validationFraction: number; scoreCsv?: string },
): Promise<{ leaky: string[] }> {
  return withDatabase(dbPath, async (conn) => {
    // the same sampled history Wuwei trains on past models.maxTrainingDeals
    const data = await readClosedObservations(conn, 'features_train', FEATURE_NAMES, {
      maxDeals: DEFAULT_MAX_TRAINING_DEALS,
    });
    const split = splitByCloseDate(data.opportunityIds, data.closeDays, data.labels, options);
    await conn.run('CREATE OR REPLACE TEMP TABLE bench_split (opportunity_id VARCHAR, part VARCHAR)');
    const appender = await conn.createAppender('bench_split', 'main', 'temp');
    for (const part of ['fit', 'validation', 'holdout'] as const) {
      const seen = new Set<string>();
      for (const row of split[part].rows) {
        const id = data.opportunityIds[row]!;
        if (seen.has(id)) continue;
        seen.add(id);
        appender.appendVarchar(id);
        appender.appendVarchar(part);
        appender.endRow();
      }
    }
    appender.closeSync();
    const columns = FEATURE_NAMES.map((name) => `f.${quoteIdent(name)}::DOUBLE AS ${quoteIdent(name)}`).join(', ');
    const raw = await rawColumns(conn);
    await conn.run(`
      COPY (
        SELECT f.opportunity_id, f.label_won::INTEGER AS label_won, bench_split.part, ${columns}, ${raw.select.join(', ')}
        FROM features_train AS f JOIN bench_split USING (opportunity_id) ${raw.joins}
        ORDER BY f.opportunity_id, f.as_of
      ) TO ${quoteLiteral(csv)} (HEADER, DELIMITER ',')`);
    if (options.scoreCsv) {
      await conn.run(
        `COPY (SELECT f.opportunity_id, ${columns}, ${raw.select.join(', ')} FROM features_score AS f ${raw.joins} ORDER BY 1) TO ${quoteLiteral(options.scoreCsv)} (HEADER, DELIMITER ',')`,
      );
    }
    return { leaky: raw.leaky };
  });
}
