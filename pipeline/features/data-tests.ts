/**
 * Data tests beside the SQL models (sql/tests.yaml), as dbt runs them: unique keys, not-null
 * columns, accepted values and row conditions, checked on the real data by every feature build.
 * A failure stops the build in one line naming each broken test and how many rows break it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';

const TESTS_FILE = fileURLToPath(new URL('./sql/tests.yaml', import.meta.url));

const modelTestsSchema = z.strictObject({
  unique: z.array(z.array(z.string()).min(1)).optional(),
  not_null: z.array(z.string()).optional(),
  accepted_values: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)).optional(),
  expressions: z.array(z.string()).optional(),
});

export type ModelTests = z.infer<typeof modelTestsSchema>;

/** One check: its name as the failure line shows it, and a query counting the rows that break it. */
export interface DataTest {
  model: string;
  name: string;
  sql: string;
}

/** The tests of sql/tests.yaml, by model. */
export function readDataTests(file = TESTS_FILE): Record<string, ModelTests> {
  return z.record(z.string(), modelTestsSchema).parse(parseYaml(readFileSync(file, 'utf8')) ?? {});
}

/** The checks one model's tests make, each a query that counts the failing rows (or key values). */
export function dataTestQueries(model: string, tests: ModelTests): DataTest[] {
  const table = quoteIdent(model);
  const literal = (value: string | number | boolean) =>
    typeof value === 'string' ? quoteLiteral(value) : String(value);
  const count = (where: string) => `SELECT count(*)::INTEGER AS n FROM ${table} WHERE ${where}`;
  return [
    ...(tests.unique ?? []).map((columns) => ({
      model,
      name: `unique (${columns.join(', ')})`,
      sql: `SELECT count(*)::INTEGER AS n
            FROM (SELECT 1 FROM ${table} GROUP BY ${columns.map(quoteIdent).join(', ')} HAVING count(*) > 1)`,
    })),
    ...(tests.not_null ?? []).map((column) => ({
      model,
      name: `not_null ${column}`,
      sql: count(`${quoteIdent(column)} IS NULL`),
    })),
    ...Object.entries(tests.accepted_values ?? {}).map(([column, values]) => ({
      model,
      name: `accepted_values ${column} in [${values.join(', ')}]`,
      sql: count(`${quoteIdent(column)} NOT IN (${values.map(literal).join(', ')})`),
    })),
    ...(tests.expressions ?? []).map((expression) => ({
      model,
      name: `expression ${expression}`,
      sql: count(`NOT coalesce((${expression}), false)`),
    })),
  ];
}

/** Runs every test of the given models (those the build made); throws one line when any fails. */
export async function runDataTests(
  conn: DuckDBConnection,
  models: readonly string[],
  tests = readDataTests(),
): Promise<number> {
  const unknown = Object.keys(tests).filter((model) => !models.includes(model));
  if (unknown.length > 0) throw new Error(`sql/tests.yaml names models that do not exist: ${unknown.join(', ')}`);
  const failures: string[] = [];
  let run = 0;
  for (const [model, modelTests] of Object.entries(tests)) {
    for (const test of dataTestQueries(model, modelTests)) {
      const [row] = await queryRows<{ n: number }>(conn, test.sql);
      run += 1;
      if (row!.n > 0) failures.push(`${test.model}: ${test.name}: ${row!.n} failing`);
    }
  }
  if (failures.length > 0)
    throw new WuweiError('data_test_failed', `feature data tests failed: ${failures.join('; ')}`);
  return run;
}
