/**
 * Checks on a whole staged column, before its rows are validated, for numbers that would load
 * silently wrong: a row alone cannot tell `25.000` (twenty-five thousand, European) from 25, nor a
 * probability of 75 (percent) from a broken one; the column as a whole can.
 */
import { queryRows, quoteIdent, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';
import { ruleColumns } from './mapping/column-sql.ts';
import type { SourceDefinition } from './mapping/definition.ts';
import { SCHEMA, type ColumnSpec, type EntityName } from './schema.ts';

/** Columns that hold a share 0..1; an export may write them as percentages 0..100. */
export const SHARE_COLUMNS: Partial<Record<EntityName, readonly string[]>> = {
  opportunities: ['probability'],
  opportunity_history: ['probability'],
  opportunity_line_items: ['discount'],
};

/** `1.234`, `25.000`, `1.234.567`: digits grouped by dots in threes, no leading zero (so not `0.250`). */
const DOT_THOUSANDS = '-?[1-9][0-9]{0,2}(\\.[0-9]{3})+';

/**
 * Profiles an entity's staged number columns in one scan, and returns its share columns written as
 * percentages (some value above 1 and none above 100: they are divided by 100; whatever is then
 * outside 0..1 is a row reject).
 *
 * Stops the load when a number column's every dotted value looks like dot-grouped thousands
 * (`25.000`, `1.234`) and the mapping does not say which separator the file uses: read as decimals
 * they would be a thousand times too small, without a word. A column with any other decimal
 * (`1234.5`) is taken as decimals. Only values with a dot are matched against the pattern.
 */
export async function profileNumberColumns(
  conn: DuckDBConnection,
  entity: EntityName,
  rawTable: string,
  definitions: readonly SourceDefinition[],
): Promise<Set<string>> {
  const separatorDeclared = definitions.some((d) => d.decimal_separator !== undefined);
  const numeric = separatorDeclared
    ? []
    : (Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][]).filter(
        ([, c]) => c.type === 'DOUBLE' || c.type === 'INTEGER',
      );
  const shares = SHARE_COLUMNS[entity] ?? [];
  if (numeric.length === 0 && shares.length === 0) return new Set();
  const dotted = (column: string) => quoteIdent(`${column}:dotted`);
  const grouped = (column: string) => quoteIdent(`${column}:grouped`);
  // The pattern is tried once per dotted value, in an inner select; most number columns have no dots.
  const flags = numeric.flatMap(([column]) => {
    const v = quoteIdent(column);
    return [
      `contains(${v}, '.') AS ${dotted(column)}`,
      `contains(${v}, '.') AND regexp_full_match(${v}, '${DOT_THOUSANDS}') AS ${grouped(column)}`,
    ];
  });
  const profile = numeric.map(
    ([column]) => `count(*) FILTER (${grouped(column)})::INTEGER AS ${grouped(column)},
      count(*) FILTER (${dotted(column)} AND NOT ${grouped(column)})::INTEGER AS ${quoteIdent(`${column}:decimal`)},
      min(CASE WHEN ${grouped(column)} THEN __file || chr(0) || __line || chr(0) || ${quoteIdent(column)} END) AS ${quoteIdent(`${column}:example`)}`,
  );
  const number = (column: string) => `TRY_CAST(${quoteIdent(column)} AS DOUBLE)`;
  const percent = shares.map(
    (c) => `bool_or(${number(c)} > 1 AND ${number(c)} <= 100) AS ${quoteIdent(`${c}:percent`)}`,
  );
  const [counts] = await queryRows<Record<string, number | string | boolean | null>>(
    conn,
    `SELECT ${[...profile, ...percent].join(', ')} FROM (SELECT *${flags.map((f) => `, ${f}`).join('')} FROM ${quoteIdent(rawTable)})`,
  );
  for (const [column] of numeric) {
    if (!(Number(counts![`${column}:grouped`]) > 0 && Number(counts![`${column}:decimal`]) === 0)) continue;
    const [file, line, value] = String(counts![`${column}:example`]).split('\0');
    const rule = definitions.map((d) => d.columns[column]).find((r) => r !== undefined);
    const source = rule ? ruleColumns(rule).join("' or '") : column;
    throw new WuweiError(
      'bad_input',
      `${file}, line ${line}, column '${source}': numbers such as '${value}' look like thousands grouped by '.' (European), which would load a thousand times too small; ` +
        `set decimal_separator: ',' for ${entity} in the mapping (or decimal_separator: '.' if they are decimals)`,
    );
  }
  return new Set(shares.filter((c) => counts?.[`${c}:percent`] === true));
}
