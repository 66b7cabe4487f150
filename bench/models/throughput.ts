/**
 * Scoring throughput: the active model of a database scores `--deals` open deals (its
 * features_score rows repeated under new ids), with and without explanations.
 *   npx tsx bench/models/throughput.ts --db /tmp/g.duckdb --models /tmp/g-models [--deals 100000]
 */
import { parseArgs } from 'node:util';
import { withDatabase } from '../../pipeline/base/db.ts';
import { stderrLogger } from '../../pipeline/base/log.ts';
import { selectBackend } from '../../models/backend.ts';
import { predictOpenDeals } from '../../models/predict-open.ts';

const { values } = parseArgs({
  options: { db: { type: 'string' }, models: { type: 'string' }, deals: { type: 'string', default: '100000' } },
});
if (!values.db || !values.models) throw new Error('--db and --models are required');
const deals = Number(values.deals);

await withDatabase(values.db, async (conn) => {
  const backend = await selectBackend(stderrLogger);
  await conn.run(`CREATE OR REPLACE TEMP TABLE throughput_deals AS
    SELECT f.* REPLACE (f.opportunity_id || '-' || copy::VARCHAR AS opportunity_id)
    FROM features_score f, range(${Math.ceil(deals / 100)}) AS copies(copy)
    LIMIT ${deals}`);
  const result: Record<string, unknown> = { backend, deals };
  for (const explain of [false, true]) {
    const start = performance.now();
    const predictions = await predictOpenDeals(conn, {
      modelsDir: values.models!,
      table: 'throughput_deals',
      explain,
      log: stderrLogger,
    });
    const seconds = (performance.now() - start) / 1000;
    result[explain ? 'withExplanations' : 'withoutExplanations'] = {
      seconds: Number(seconds.toFixed(2)),
      dealsPerSecond: Math.round(predictions.opportunityIds.length / seconds),
    };
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
});
