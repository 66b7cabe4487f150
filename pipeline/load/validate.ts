import { quoteIdent, quoteLiteral } from '../db.ts';
import { SCHEMA, type ColumnSpec, type EntityName } from './schema.ts';

/**
 * SQL that types one entity's raw text rows and finds, for each row, the first rule it breaks
 * (missing required value, unparseable value, duplicate key, reference to a missing parent).
 * Input: a table `raw` with `__line` and the export's columns as text (absent columns as NULL).
 * Output columns: `__line`, every contract column typed, and `__problem` (NULL for a good row).
 */
export function validationSql(entity: EntityName, rawTable: string): string {
  const spec = SCHEMA[entity];
  const columns = Object.entries(spec.columns) as [string, ColumnSpec][];
  const text = (column: string) => `nullif(trim(${quoteIdent(column)}), '')`;
  const problem = (condition: string, reason: string, column: string) =>
    `CASE WHEN ${condition} THEN {'reason': ${quoteLiteral(reason)}, 'column': ${quoteLiteral(column)}, 'value': left(${quoteIdent(column)}, 200)} END`;

  const checks: string[] = [];
  for (const [column, c] of columns) {
    if (c.required) checks.push(problem(`${text(column)} IS NULL`, 'missing required value', column));
    if (c.type !== 'VARCHAR') checks.push(problem(`${text(column)} IS NOT NULL AND TRY_CAST(${text(column)} AS ${c.type}) IS NULL`, `not a ${c.type.toLowerCase()}`, column));
    if (c.references) {
      const parent = SCHEMA[c.references as EntityName];
      const parentKey = quoteIdent(parent.key[0]!);
      checks.push(problem(`${text(column)} IS NOT NULL AND ${text(column)} NOT IN (SELECT ${parentKey} FROM ${quoteIdent(c.references)})`, `unknown ${c.references.replace(/s$/, '')}`, column));
    }
  }
  if ('amount' in spec.columns) checks.push(problem(`TRY_CAST(${text('amount')} AS DOUBLE) < 0`, 'negative amount', 'amount'));
  if (spec.key.length > 0) {
    const keyColumn = spec.key[spec.key.length - 1]!;
    checks.push(problem('__duplicate', 'duplicate key', keyColumn));
  }

  const typed = columns.map(([column, c]) => `TRY_CAST(${text(column)} AS ${c.type}) AS ${quoteIdent(column)}`);
  const duplicate =
    spec.key.length > 0
      ? `row_number() OVER (PARTITION BY ${spec.key.map((k) => text(k)).join(', ')} ORDER BY __line) > 1`
      : 'false';
  return `
    WITH source AS (SELECT *, ${duplicate} AS __duplicate FROM ${rawTable})
    SELECT __file, __line, ${typed.join(', ')}, coalesce(${checks.join(', ')}) AS __problem
    FROM source`;
}
