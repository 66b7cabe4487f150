/**
 * Turns a mapping's column rules into DuckDB SQL over a source file read as text, and normalises
 * the text of typed contract columns (dates in the usual export formats, numbers with thousands
 * or decimal commas, yes/no flags) so that validation sees one spelling. A value that cannot be
 * normalised is passed on unchanged: validation then rejects it with the value as the file had it.
 * Every source name and value reaches SQL through quoteIdent/quoteLiteral.
 */
import { quoteIdent, quoteLiteral, type DuckDBConnection } from '../../base/db.ts';
import { WuweiError } from '../../base/errors.ts';
import type { ColumnType } from '../schema.ts';
import type { ColumnRule, LookupRule, Mapping } from './definition.ts';

/** Formats tried after ISO 8601: US exports write month first with slashes, European ones day first with dots. */
export const DEFAULT_DATE_FORMATS = [
  '%m/%d/%Y',
  '%d.%m.%Y',
  '%Y/%m/%d',
  '%m/%d/%Y %H:%M:%S',
  '%m/%d/%Y %H:%M',
  '%m/%d/%Y %I:%M %p',
  '%d.%m.%Y %H:%M:%S',
  '%d.%m.%Y %H:%M',
  '%d/%m/%Y',
];

/** Stops on a mapping's `date_format` DuckDB cannot use, naming the mapping key, before any file is read. */
export async function checkDateFormats(conn: DuckDBConnection, mapping: Mapping): Promise<void> {
  for (const [entity, definitions] of Object.entries(mapping.entities)) {
    for (const [i, { date_format: format }] of (definitions ?? []).entries()) {
      if (format === undefined) continue;
      try {
        await conn.run(`SELECT try_strptime('2024-01-31', ${quoteLiteral(format)})`);
      } catch {
        throw new WuweiError(
          'bad_input',
          `${mapping.name}: entities.${entity}[${i}].date_format '${format}' is not a date format DuckDB knows: use strftime codes such as '%d.%m.%Y' or '%m/%d/%Y %H:%M'`,
        );
      }
    }
  }
}

/**
 * A source column as staged text: trimmed, empty as NULL. trim() took 40% of reading the
 * participants at 1M deals, so only text it could change is trimmed: trim removes Unicode space
 * separators, and an ASCII value (byte and character lengths equal) has none but ' ' to remove.
 */
export function sourceText(column: string): string {
  const text = `CAST(${quoteIdent(column)} AS VARCHAR)`;
  return `CASE WHEN ${text} LIKE ' %' OR ${text} LIKE '% ' OR strlen(${text}) <> length(${text}) THEN nullif(trim(${text}), '') ELSE nullif(${text}, '') END`;
}

/**
 * The same text as sourceText, in its plain form, for a select of thousands of columns (a wide
 * file's custom attributes): staging 5,000 custom columns in the guarded form took 239 s against 27 s.
 */
export function plainSourceText(column: string): string {
  return `nullif(trim(CAST(${quoteIdent(column)} AS VARCHAR)), '')`;
}

/** A mapping's constant as staged text: trimmed, empty as NULL, like every value read from a file. */
const literal = (value: string | number | boolean | null | undefined): string => {
  const text = value === null || value === undefined ? '' : String(value).trim();
  return text === '' ? 'NULL::VARCHAR' : quoteLiteral(text);
};

/** The first of a column's names (API name, labels) that the file has. */
export function presentName(names: string | string[], present: (column: string) => boolean): string | undefined {
  return (Array.isArray(names) ? names : [names]).find(present);
}

/** SQL for one rule, as text; columns absent from the file read as NULL. */
export function ruleSql(rule: ColumnRule, present: (column: string) => boolean): string {
  if (typeof rule === 'string' || Array.isArray(rule)) {
    const name = presentName(rule, present);
    return name ? sourceText(name) : 'NULL::VARCHAR';
  }
  if (rule.value !== undefined) return literal(rule.value);
  if (rule.first_of) return `coalesce(${rule.first_of.map((inner) => ruleSql(inner, present)).join(', ')})`;
  if (rule.join) {
    const parts = rule.join.filter(present).map(sourceText);
    return parts.length > 0 ? `nullif(concat_ws(' ', ${parts.join(', ')}), '')` : 'NULL::VARCHAR';
  }
  const name = presentName(rule.column!, present);
  let text = name ? sourceText(name) : 'NULL::VARCHAR';
  if (rule.first_item) text = `nullif(trim(split_part(${text}, ';', 1)), '')`;
  if (rule.prefix !== undefined) text = `left(${text}, ${Math.trunc(rule.prefix)})`;
  if (rule.keep_if) {
    const condition = rule.keep_if.column === undefined ? text : ruleSql(rule.keep_if.column, present);
    const tests = [
      ...(rule.keep_if.starts_with ?? []).map((p) => `starts_with(${condition}, ${quoteLiteral(p)})`),
      ...(rule.keep_if.in ? [`${condition} IN (${rule.keep_if.in.map(quoteLiteral).join(', ')})`] : []),
      ...(rule.keep_if.not_starts_with
        ? [
            `NOT (${rule.keep_if.not_starts_with.map((p) => `starts_with(${condition}, ${quoteLiteral(p)})`).join(' OR ')})`,
          ]
        : []),
      ...(rule.keep_if.empty ? [`${condition} IS NULL`] : []),
    ];
    // Without the condition's column nothing can be told apart: the value is kept.
    const known = rule.keep_if.column === undefined || presentName(rule.keep_if.column, present) !== undefined;
    if (known && tests.length > 0) text = `CASE WHEN ${tests.join(' OR ')} THEN ${text} END`;
  }
  if (rule.lookup) {
    const found = `(SELECT l.v FROM ${quoteIdent(lookupTable(rule.lookup))} l WHERE l.k = ${text})`;
    text = rule.lookup.exact ? found : `coalesce(${found}, ${text})`;
  }
  const hasDefault = rule.default !== undefined;
  let sql = text;
  if (rule.map && Object.keys(rule.map).length > 0) {
    const cases = Object.entries(rule.map).map(([from, to]) => `WHEN ${quoteLiteral(from)} THEN ${literal(to)}`);
    sql = `CASE ${text} ${cases.join(' ')} ELSE ${hasDefault ? literal(rule.default) : text} END`;
  } else if (hasDefault) {
    sql = `coalesce(${text}, ${literal(rule.default)})`;
  }
  return sql;
}

/** The temp table staging reads a lookup file into (columns k, v); see ./stage.ts. */
export function lookupTable(lookup: LookupRule): string {
  const filter = lookup.where || lookup.latest ? [JSON.stringify(lookup.where ?? {}), lookup.latest ?? ''] : [];
  return `__lookup_${[lookup.file, lookup.key, lookup.value, ...filter]
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')}`;
}

/** Every lookup a rule uses. */
export function ruleLookups(rule: ColumnRule): LookupRule[] {
  if (typeof rule === 'string' || Array.isArray(rule)) return [];
  return [...(rule.lookup ? [rule.lookup] : []), ...(rule.first_of ?? []).flatMap(ruleLookups)];
}

/** The source columns a rule reads. */
export function ruleColumns(rule: ColumnRule): string[] {
  if (typeof rule === 'string') return [rule];
  if (Array.isArray(rule)) return rule;
  if (rule.first_of) return rule.first_of.flatMap(ruleColumns);
  if (rule.join) return rule.join;
  return rule.column ? [rule.column].flat() : [];
}

/** A currency symbol or code before or after an amount, as vendor exports write them (`$11,000.00`, `€ 1.234,50`, `1,000 USD`). */
const CURRENCY_BEFORE = `'^([-+]?)\\s*(?:[$€£¥]|[A-Z]{3}\\s)\\s*'`;
const CURRENCY_AFTER = `'\\s*(?:[$€£¥]|\\s[A-Z]{3})$'`;

/**
 * Number text as DuckDB casts it: thousands separators and the decimal comma (when the mapping declares
 * `decimal_separator: ','`) resolved, currency symbols and codes dropped, `75%` read as 0.75 (a
 * percentage is a share already, so `scale` is not applied to it).
 */
export function numberSql(v: string, options: { decimalComma: boolean; scale?: number }): string {
  const separators = (n: string) =>
    options.decimalComma
      ? `CASE WHEN regexp_full_match(${n}, '-?[0-9]{1,3}(\\.[0-9]{3})*(,[0-9]+)?|-?[0-9]+(,[0-9]+)?') THEN replace(replace(${n}, '.', ''), ',', '.') ELSE ${n} END`
      : `CASE WHEN TRY_CAST(${n} AS DOUBLE) IS NOT NULL THEN ${n} WHEN regexp_full_match(${n}, '-?[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?') THEN replace(${n}, ',', '') ELSE ${n} END`;
  const bare = `regexp_replace(regexp_replace(${v}, ${CURRENCY_BEFORE}, '\\1'), ${CURRENCY_AFTER}, '')`;
  const percent = `TRY_CAST(${separators(`rtrim(rtrim(${bare}, '%'))`)} AS DOUBLE)`;
  const number = `TRY_CAST(${separators(bare)} AS DOUBLE)`;
  const scaled = options.scale !== undefined ? `round(${number} * ${Number(options.scale)}, 9)` : number;
  // The common case, a plain number, is settled by a cast before any pattern is tried.
  return `CASE
    WHEN ${options.decimalComma ? 'false' : `TRY_CAST(${v} AS DOUBLE) IS NOT NULL`} THEN ${options.scale !== undefined ? `CAST(round(TRY_CAST(${v} AS DOUBLE) * ${Number(options.scale)}, 9) AS VARCHAR)` : v}
    WHEN ends_with(${v}, '%') THEN coalesce(CAST(round(${percent} / 100, 9) AS VARCHAR), ${v})
    ELSE coalesce(CAST(${scaled} AS VARCHAR), ${v}) END`;
}

/** Normalises text for a typed contract column; `scale` multiplies a number (e.g. percent -> share). */
export function normalisedSql(
  sql: string,
  type: ColumnType,
  options: { dateFormats: string[]; decimalComma: boolean; scale?: number },
): string {
  const v = `(${sql})`;
  switch (type) {
    case 'DOUBLE':
    case 'INTEGER':
      return numberSql(v, options);
    case 'BOOLEAN':
      return `CASE WHEN lower(${v}) IN ('true', 't', 'yes', 'y', '1', 'x') THEN 'true' WHEN lower(${v}) IN ('false', 'f', 'no', 'n', '0') THEN 'false' ELSE ${v} END`;
    case 'DATE':
    case 'TIMESTAMP': {
      const formats = `[${[...new Set(options.dateFormats)].map(quoteLiteral).join(', ')}]`;
      // An explicit offset (Z, +02:00) is converted to UTC; a time without one is taken as written;
      // 12-13 digits are epoch milliseconds (the HubSpot API's dates).
      const parsed = `coalesce(
        CASE WHEN length(${v}) > 10 AND regexp_matches(${v}, '(Z|[+-][0-9]{2}:?[0-9]{2})$') THEN TRY_CAST(${v} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' END,
        TRY_CAST(${v} AS TIMESTAMP),
        try_strptime(${v}, ${formats}),
        CASE WHEN regexp_full_match(${v}, '[0-9]{12,13}') THEN make_timestamp(TRY_CAST(${v} AS BIGINT) * 1000) END)`;
      const pattern = type === 'DATE' ? '%Y-%m-%d' : '%Y-%m-%d %H:%M:%S';
      // The common case, ISO text that casts, already reads as the full path would write it back. Its
      // shape is told by LIKE, a quarter of a regular expression's cost; the cast checks the digits.
      const iso = type === 'DATE' ? '____-__-__' : '____-__-__ __:__:__';
      // A date keeps the local date written before an offset (a deal created at 21:00-05:00 was created that day, not the next).
      const local =
        type === 'DATE'
          ? `WHEN regexp_matches(${v}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+([+-][0-9]{2}:?[0-9]{2})$') AND TRY_CAST(left(${v}, 10) AS DATE) IS NOT NULL THEN left(${v}, 10) `
          : '';
      return `CASE WHEN ${v} LIKE '${iso}' AND TRY_CAST(${v} AS ${type}) IS NOT NULL THEN ${v} ${local}ELSE coalesce(strftime(${parsed}, '${pattern}'), ${v}) END`;
    }
    default:
      return sql;
  }
}
