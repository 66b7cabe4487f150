import { withDatabase, queryRows } from '/work/wt/arch/pipeline/base/db.ts';
import { buildFeatures } from '/work/wt/arch/pipeline/features/build.ts';
import { quietLogger } from '/work/wt/arch/pipeline/log.ts';
await withDatabase('/tmp/arch-probe/run/wuwei.duckdb', async (conn) => {
  await buildFeatures(conn, { asOf: '2026-06-30', log: quietLogger });
  const rows = await queryRows<{ t: string; cols: string }>(conn, `SELECT table_name AS t, string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_index) AS cols FROM duckdb_columns() WHERE database_name = 'temp' GROUP BY 1 ORDER BY 1`);
  for (const r of rows) console.log(`${r.t}: ${r.cols.slice(0, 400)}`);
});
