import { quoteIdent, quoteLiteral } from '../base/db.ts';
import { SHARE_COLUMNS } from './column-profiles.ts';
import { SCHEMA, type ColumnSpec, type ColumnType, type EntityName } from './schema.ts';

/** Why a row was quarantined in `load_rejects`. One reason per rejected row: the first rule it breaks. */
export const REJECT_REASONS = {
  missingValue: 'missing required value',
  unparseableDate: 'unparseable date',
  unparseableTimestamp: 'unparseable timestamp',
  unparseableNumber: 'unparseable number',
  unparseableBoolean: 'unparseable boolean',
  missingParent: 'reference to a missing parent',
  rejectedParent: 'reference to a rejected parent',
  negativeAmount: 'negative amount',
  amountOutOfRange: 'amount out of range',
  closeBeforeCreation: 'close before creation',
  duplicateKey: 'duplicate key',
  implausibleDate: 'implausible date',
  shareOutOfRange: 'probability or share outside 0..1 (or 0..100%)',
} as const;

export type RejectReason = (typeof REJECT_REASONS)[keyof typeof REJECT_REASONS];

const UNPARSEABLE: Record<Exclude<ColumnType, 'VARCHAR'>, RejectReason> = {
  DATE: REJECT_REASONS.unparseableDate,
  TIMESTAMP: REJECT_REASONS.unparseableTimestamp,
  DOUBLE: REJECT_REASONS.unparseableNumber,
  INTEGER: REJECT_REASONS.unparseableNumber,
  BOOLEAN: REJECT_REASONS.unparseableBoolean,
};

/**
 * No deal, price or quantity reaches 10^15 in any currency, and beyond it sums of doubles lose the
 * cents: such a value is a typo or a unit mix-up that would swamp every total.
 */
const MAX_AMOUNT = 1e15;

/** Money and counts that cannot be below zero. */
const NON_NEGATIVE: Partial<Record<EntityName, string[]>> = {
  opportunities: ['amount'],
  opportunity_history: ['amount'],
  opportunity_line_items: ['quantity', 'unit_price'],
};

/** References whose parent entity depends on another column's value: an activity participant is one of our users or a customer contact. */
const TYPED_REFERENCES: Partial<
  Record<EntityName, { column: string; typeColumn: string; parents: Record<string, EntityName> }>
> = {
  activity_participants: {
    column: 'participant_id',
    typeColumn: 'participant_type',
    parents: { user: 'users', contact: 'contacts' },
  },
};

/** Dates a CRM record can plausibly carry; outside them a date is a typo (year 1, 1900) that would skew history. */
export interface DateWindow {
  /** ISO date: the earliest plausible date. */
  earliest: string;
  /** ISO date: the latest plausible date (after the as-of date: close dates lie ahead). */
  latest: string;
}

/** Dates that may well lie before the window: people were hired before any CRM existed. */
const UNBOUNDED_DATES: Partial<Record<EntityName, string[]>> = { users: ['hire_date'] };

/** How the entity's staged text is typed: share columns written as percentages are divided by 100. */
export interface Typing {
  percentColumns?: ReadonlySet<string>;
  /** Dates outside it are rejected (or cleared where they are guesses: GUESSED_DATES); none checked when absent. */
  dateWindow?: DateWindow;
}

/**
 * An open deal's close date is the rep's guess of a future event: one the load cannot read, outside
 * the plausible dates, or before the deal was created ('TBD', 2099, a year typed wrong) is a typo in a
 * guess, not a broken record. Rejecting it would drop a live deal with its roles and activities from
 * the night, so the date is cleared (the models then time the deal themselves) and the load says how
 * many. A closed deal's close date is a fact, and a closed deal with such a date is rejected.
 */
const GUESSED_DATES: Partial<Record<EntityName, { column: string; when: string; notBefore: string }>> = {
  opportunities: {
    column: 'close_date',
    when: 'TRY_CAST(is_closed AS BOOLEAN) IS NOT TRUE',
    notBefore: 'created_date',
  },
};

/** SQL true where the row's guessed date (if its entity has one) is to be cleared; null when it has none. */
function clearedGuessSql(entity: EntityName, typing: Typing): string | null {
  const guess = GUESSED_DATES[entity];
  if (!guess) return null;
  const date = `TRY_CAST(${quoteIdent(guess.column)} AS DATE)`;
  const window = typing.dateWindow;
  const outside = window
    ? ` OR NOT (${date} BETWEEN DATE ${quoteLiteral(window.earliest)} AND DATE ${quoteLiteral(window.latest)})`
    : '';
  return `(${guess.when} AND ${quoteIdent(guess.column)} IS NOT NULL AND (${date} IS NULL${outside} OR ${date} < TRY_CAST(${quoteIdent(guess.notBefore)} AS DATE)))`;
}

/**
 * SQL for the guessed dates the load clears (GUESSED_DATES), one row each: `__row`, `line`, `value`,
 * and the `reason`; null when the entity has none.
 */
export function clearedGuessesSql(entity: EntityName, rawTable: string, typing: Typing): string | null {
  const guess = GUESSED_DATES[entity];
  const cleared = clearedGuessSql(entity, typing);
  if (!guess || !cleared) return null;
  const date = `TRY_CAST(${quoteIdent(guess.column)} AS DATE)`;
  return `SELECT __row, __line AS line, ${quoteIdent(guess.column)} AS value,
      CASE WHEN ${date} IS NULL THEN 'unreadable' WHEN ${date} < TRY_CAST(${quoteIdent(guess.notBefore)} AS DATE) THEN 'before the deal was created' ELSE 'implausible' END AS reason
    FROM ${rawTable} WHERE ${cleared}`;
}

/** A stage is never a reason to reject a row: one the CRM's list lacks is a stage of its own (./mapping/stage-list.ts). */
export interface ValidationContext extends Typing {
  /** Parent entities that were loaded from a file; references to an entity without a file are not checked. */
  loadedParents: ReadonlySet<string>;
  /**
   * A table of a parent entity's keys, one row per key: `key` (text) and `accepted` (some row with
   * that key was loaded), to tell a rejected parent from a missing one with one join.
   */
  parentKeysTable: (entity: EntityName) => string;
}

/**
 * SQL for the rows of one entity that break a rule, each with the first rule it breaks.
 * Everything is one set-based query: casts with TRY_CAST, references as left joins to the key tables
 * of the parents already validated in this transaction (so a rejected parent rejects its children, transitively),
 * duplicates by key hash first, then a window over the rows that share one.
 * Input: a table with `__row` (unique), `__file`, `__line` and the contract columns as staging leaves
 * them: text, trimmed, empty as NULL (absent columns as NULL), so no check trims again.
 * Output columns: `__row`, `file`, `line`, `column_name`, `value` (as the file had it), `reason`, and `key`
 * (the row's key when the entity has a one-column key, else NULL).
 */
export function rejectedRowsSql(entity: EntityName, rawTable: string, context: ValidationContext): string {
  const spec = SCHEMA[entity];
  const columns = Object.entries(spec.columns) as [string, ColumnSpec][];
  const text = quoteIdent;
  const cast = (column: string, type: ColumnType) => typed(column, type, context);
  // Each row gets the number of the first check it fails, a plain integer; the reason, column and
  // value are looked up from it for the few rows that fail (building them for every row is slow).
  const checks: { condition: string; reason: RejectReason; column: string }[] = [];
  const problem = (condition: string, reason: RejectReason, column: string) =>
    checks.push({ condition, reason, column });

  // Rules in the order they are reported: the value itself, then what it points at, then business rules, then duplicates.
  const guess = GUESSED_DATES[entity];
  // A guessed date is checked only where it is a fact (a closed deal's close date); elsewhere it is cleared.
  const fact = (column: string) => (guess?.column === column ? `NOT ${guess.when} AND ` : '');
  for (const [column, c] of columns) {
    if (c.required) problem(`${text(column)} IS NULL`, REJECT_REASONS.missingValue, column);
    if (c.type !== 'VARCHAR')
      problem(
        `${fact(column)}${text(column)} IS NOT NULL AND ${cast(column, c.type)} IS NULL`,
        UNPARSEABLE[c.type],
        column,
      );
  }
  // References are LEFT JOINs to the parent's key table (hash joins), not IN subqueries per row.
  const joins: string[] = [];
  const reference = (column: string, parentEntity: EntityName, when = 'true') => {
    if (!context.loadedParents.has(parentEntity)) return;
    const alias = `__parent_${joins.length}`;
    // The condition goes inside the key so the join stays a pure equality (a hash join); beside it, DuckDB loops.
    const joinKey = when === 'true' ? text(column) : `CASE WHEN ${when} THEN ${text(column)} END`;
    joins.push(`LEFT JOIN ${context.parentKeysTable(parentEntity)} AS ${alias} ON ${alias}.key = ${joinKey}`);
    const dangling = `${when} AND ${text(column)} IS NOT NULL AND ${alias}.accepted IS NOT TRUE`;
    problem(`${dangling} AND ${alias}.key IS NOT NULL`, REJECT_REASONS.rejectedParent, column);
    problem(dangling, REJECT_REASONS.missingParent, column);
  };
  for (const [column, c] of columns) if (c.references) reference(column, c.references as EntityName);
  const typedReference = TYPED_REFERENCES[entity];
  if (typedReference) {
    for (const [type, parent] of Object.entries(typedReference.parents))
      reference(typedReference.column, parent, `${text(typedReference.typeColumn)} = ${quoteLiteral(type)}`);
  }
  for (const column of NON_NEGATIVE[entity] ?? []) {
    problem(`${cast(column, 'DOUBLE')} < 0`, REJECT_REASONS.negativeAmount, column);
    problem(`${cast(column, 'DOUBLE')} >= ${MAX_AMOUNT}`, REJECT_REASONS.amountOutOfRange, column);
  }
  for (const [column, c] of columns) {
    const window = context.dateWindow;
    if (!window || (c.type !== 'DATE' && c.type !== 'TIMESTAMP') || UNBOUNDED_DATES[entity]?.includes(column)) continue;
    problem(
      `${fact(column)}NOT (${cast(column, c.type)}::DATE BETWEEN DATE ${quoteLiteral(window.earliest)} AND DATE ${quoteLiteral(window.latest)})`,
      REJECT_REASONS.implausibleDate,
      column,
    );
  }
  for (const column of SHARE_COLUMNS[entity] ?? []) {
    problem(`NOT (${cast(column, 'DOUBLE')} BETWEEN 0 AND 1)`, REJECT_REASONS.shareOutOfRange, column);
  }
  if (entity === 'opportunities') {
    problem(
      `${fact('close_date')}${cast('close_date', 'DATE')} < ${cast('created_date', 'DATE')}`,
      REJECT_REASONS.closeBeforeCreation,
      'close_date',
    );
  }
  // The first row with a key is kept; later rows with the same key are rejected. Rows whose key
  // hash occurs once cannot be duplicates; only the few others are sorted, by their exact key.
  let source = `SELECT *, false AS __duplicate FROM ${rawTable}`;
  if (spec.key.length > 0) {
    const key = spec.key.map((k) => text(k)).join(', ');
    source = `SELECT t.*, d.__row IS NOT NULL AS __duplicate FROM ${rawTable} t LEFT JOIN (
        SELECT __row FROM (
          SELECT __row, row_number() OVER (PARTITION BY ${key} ORDER BY __line, __row) AS n FROM ${rawTable}
          WHERE hash(${key}) IN (SELECT hash(${key}) FROM ${rawTable} GROUP BY 1 HAVING count(*) > 1))
        WHERE n > 1) d ON d.__row = t.__row`;
    problem('__duplicate', REJECT_REASONS.duplicateKey, spec.key[spec.key.length - 1]!);
  }

  const list = (values: string[]) => `[${values.map(quoteLiteral).join(', ')}]`;
  const firstFailed = `CASE ${checks.map((c, i) => `WHEN ${c.condition} THEN ${i + 1}`).join(' ')} END`;
  const value = `CASE __check ${checks.map((c, i) => `WHEN ${i + 1} THEN left(${quoteIdent(c.column)}, 200)`).join(' ')} END`;
  return `
    WITH source AS (${source}),
    checked AS (SELECT source.*, ${firstFailed} AS __check FROM source ${joins.join('\n      ')})
    SELECT __row, __file AS file, __line AS line, ${list(checks.map((c) => c.column))}[__check] AS column_name, ${value} AS value,
      ${list(checks.map((c) => c.reason))}[__check] AS reason, ${spec.key.length === 1 ? text(spec.key[0]!) : 'NULL::VARCHAR'} AS key
    FROM checked WHERE __check IS NOT NULL`;
}

/** SQL for the entity's rows typed to the contract, with `__row`; validation rejects none of what it types. */
export function typedRowsSql(entity: EntityName, rawTable: string, typing: Typing = {}): string {
  const columns = Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][];
  const guess = GUESSED_DATES[entity];
  const cleared = clearedGuessSql(entity, typing);
  const value = (column: string, type: ColumnType) =>
    guess?.column === column && cleared
      ? `CASE WHEN ${cleared} THEN NULL ELSE ${typed(column, type, typing)} END`
      : typed(column, type, typing);
  return `SELECT __row, ${columns.map(([column, c]) => `${value(column, c.type)} AS ${quoteIdent(column)}`).join(', ')} FROM ${rawTable}`;
}

/** A staged text column as its contract type; NULL when unparseable (NaN and infinity are no numbers a CRM means). */
function typed(column: string, type: ColumnType, typing: Typing = {}): string {
  if (type === 'VARCHAR') return quoteIdent(column);
  const number = `TRY_CAST(${quoteIdent(column)} AS DOUBLE)${typing.percentColumns?.has(column) ? ' / 100' : ''}`;
  if (type === 'DOUBLE') return `CASE WHEN isfinite(${number}) THEN ${number} END`;
  return `TRY_CAST(${quoteIdent(column)} AS ${type})`;
}
