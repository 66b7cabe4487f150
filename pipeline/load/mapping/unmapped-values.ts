/**
 * Values a mapping's value map does not know (a role 'Evaluator', a direction 'INCOMING', a
 * participant of type 'Lead'): counted and named per contract column, so that the load says what it
 * turned into the rule's default (or passed through) instead of letting it go unnoticed.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../base/db.ts';
import type { Logger } from '../../base/log.ts';
import { ruleSql } from './column-sql.ts';
import type { ColumnRule, ColumnRuleObject, SourceDefinition } from './definition.ts';
import type { SourceFile } from './source-files.ts';

export interface UnmappedValues {
  entity: string;
  column: string;
  file: string;
  /** Up to 10 values with their row counts, most frequent first. */
  values: Record<string, number>;
  rows: number;
}

/** The rules of a column that map values, nested first_of alternatives included. */
function mappedRules(rule: ColumnRule): ColumnRuleObject[] {
  if (typeof rule === 'string' || Array.isArray(rule)) return [];
  if (rule.first_of) return rule.first_of.flatMap(mappedRules);
  return rule.map && Object.keys(rule.map).length > 0 ? [rule] : [];
}

export async function findUnmappedValues(
  conn: DuckDBConnection,
  options: { entity: string; definition: SourceDefinition; file: SourceFile; present: (column: string) => boolean },
): Promise<UnmappedValues[]> {
  const found: UnmappedValues[] = [];
  for (const [column, rule] of Object.entries(options.definition.columns)) {
    for (const mapped of mappedRules(rule as ColumnRule)) {
      const { map, default: _default, ...reading } = mapped;
      const text = ruleSql(reading, options.present);
      if (text === 'NULL::VARCHAR') continue;
      const keys = Object.keys(map!).map(quoteLiteral).join(', ');
      const values = await queryRows<{ value: string; n: number }>(
        conn,
        `SELECT value, count(*)::INTEGER AS n FROM (SELECT ${text} AS value FROM ${options.file.textReader})
         WHERE value IS NOT NULL AND value NOT IN (${keys}) GROUP BY ALL ORDER BY n DESC, value`,
      );
      if (values.length === 0) continue;
      found.push({
        entity: options.entity,
        column,
        file: options.file.path,
        values: Object.fromEntries(values.slice(0, 10).map((v) => [v.value, v.n])),
        rows: values.reduce((sum, v) => sum + v.n, 0),
      });
    }
  }
  return found;
}

export function logUnmapped(unmapped: UnmappedValues[], log: Logger): void {
  for (const u of unmapped) {
    const shown = Object.entries(u.values)
      .map(([v, n]) => `'${v}' (${n})`)
      .join(', ');
    log.warn(
      `${u.file}: ${u.rows} ${u.entity} rows have a ${u.column} value the mapping does not know: ${shown}; read as the rule's default (or as written when it has none)`,
    );
  }
}
