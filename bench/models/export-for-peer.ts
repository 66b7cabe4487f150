/**
 * Writes the exact rows, split and weights Wuwei trains on as CSV, for the peer benchmark
 * (bench/models/hgb_peer.py, scikit-learn's HistGradientBoostingClassifier):
 *   npx tsx bench/models/export-for-peer.ts --db /tmp/g.duckdb --out /tmp/peer
 * train.csv: split (fit | validation | holdout), weight (deal-day weight), label_won, features;
 * score.csv: opportunity_id and the same features for the open deals.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { quoteLiteral, withDatabase } from '../../pipeline/base/db.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { featureColumnsOf } from '../../pipeline/features/feature-columns.ts';
import { readClosedObservations } from '../../models/win/data.ts';
import { splitByCloseDate } from '../../models/win/split.ts';
import { timeWeights } from '../../models/win/time-weights.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, out: { type: 'string' } } });
if (!values.db || !values.out) throw new Error('--db and --out are required');
mkdirSync(values.out, { recursive: true });

await withDatabase(values.db, async (conn) => {
  const discovered = await featureColumnsOf(conn, 'features_train', FEATURE_NAMES);
  const data = await readClosedObservations(conn, 'features_train', discovered);
  const split = splitByCloseDate(data.opportunityIds, data.closeDays, data.labels, {
    holdoutFraction: 0.2,
    validationFraction: 0.15,
  });
  const weights = timeWeights(data);
  await conn.run(
    'CREATE OR REPLACE TEMP TABLE peer_rows (opportunity_id VARCHAR, close_day DOUBLE, days_to_close DOUBLE, split VARCHAR, weight DOUBLE)',
  );
  const appender = await conn.createAppender('peer_rows', 'main', 'temp');
  for (const [name, part] of Object.entries(split)) {
    for (const i of part.rows) {
      appender.appendVarchar(data.opportunityIds[i]!);
      appender.appendDouble(data.closeDays[i]!);
      appender.appendDouble(data.daysToClose[i]!);
      appender.appendVarchar(name);
      appender.appendDouble(weights[i]!);
      appender.endRow();
    }
  }
  appender.closeSync();
  const columns = [...discovered.numeric, ...discovered.categorical].map((name) => `f."${name}"`).join(', ');
  // rows are matched back by deal, close day and days to close (= the as-of date)
  await conn.run(`COPY (
      SELECT p.split, p.weight, f.label_won, ${columns}
      FROM peer_rows p JOIN features_train f
        ON f.opportunity_id = p.opportunity_id AND date_diff('day', f.as_of, f.final_close_date) = p.days_to_close
    ) TO ${quoteLiteral(join(values.out!, 'train.csv'))} (HEADER)`);
  await conn.run(
    `COPY (SELECT f.opportunity_id, ${columns} FROM features_score f) TO ${quoteLiteral(join(values.out!, 'score.csv'))} (HEADER)`,
  );
});
