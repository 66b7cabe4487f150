import { quoteIdent, quoteLiteral } from '../db.ts';
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
  unknownStage: 'unknown stage',
  duplicateKey: 'duplicate key',
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
const TYPED_REFERENCES: Partial<Record<EntityName, { column: string; typeColumn: string; parents: Record<string, EntityName> }>> = {
  activity_participants: { column: 'participant_id', typeColumn: 'participant_type', parents: { user: 'users', contact: 'contacts' } },
};

/** Entities whose `stage` must be one the CRM's stage list knows. */
const STAGED: EntityName[] = ['opportunities', 'opportunity_history'];

export interface ValidationContext {
  /** Every stage name the CRM uses (open, won and lost). */
  knownStages: readonly string[];
  /** Parent entities that were loaded from a file; references to an entity without a file are not checked. */
  loadedParents: ReadonlySet<string>;
  /**
   * A table of a parent entity's keys, one row per key: `key` (text) and `accepted` (some row with
   * that key was loaded), to tell a rejected parent from a missing one with one join.
   */
  parentKeysTable: (entity: EntityName) => string;
}

/**
 * SQL that types one entity's raw text rows and finds, for each row, the first rule it breaks.
 * Everything is one set-based query: casts with TRY_CAST, references as left joins to the key tables
 * of the parents already validated in this transaction (so a rejected parent rejects its children, transitively),
 * duplicates with a window.
 * Input: a table with `__file`, `__line` and the contract columns as text (absent columns as NULL).
 * Output columns: `__file`, `__line`, every contract column typed, and `__problem` ({reason, column, value}, NULL for a good row).
 */
export function validationSql(entity: EntityName, rawTable: string, context: ValidationContext): string {
  const spec = SCHEMA[entity];
  const columns = Object.entries(spec.columns) as [string, ColumnSpec][];
  const text = (column: string) => `nullif(trim(${quoteIdent(column)}), '')`;
  const problem = (condition: string, reason: RejectReason, column: string) =>
    `CASE WHEN ${condition} THEN {'reason': ${quoteLiteral(reason)}, 'column': ${quoteLiteral(column)}, 'value': left(${quoteIdent(column)}, 200)} END`;

  // Rules in the order they are reported: the value itself, then what it points at, then business rules, then duplicates.
  const checks: string[] = [];
  for (const [column, c] of columns) {
    if (c.required) checks.push(problem(`${text(column)} IS NULL`, REJECT_REASONS.missingValue, column));
    if (c.type !== 'VARCHAR') checks.push(problem(`${text(column)} IS NOT NULL AND ${typed(column, c.type)} IS NULL`, UNPARSEABLE[c.type], column));
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
    checks.push(problem(`${dangling} AND ${alias}.key IS NOT NULL`, REJECT_REASONS.rejectedParent, column));
    checks.push(problem(dangling, REJECT_REASONS.missingParent, column));
  };
  for (const [column, c] of columns) if (c.references) reference(column, c.references as EntityName);
  const typedReference = TYPED_REFERENCES[entity];
  if (typedReference) {
    for (const [type, parent] of Object.entries(typedReference.parents)) reference(typedReference.column, parent, `${text(typedReference.typeColumn)} = ${quoteLiteral(type)}`);
  }
  for (const column of NON_NEGATIVE[entity] ?? []) {
    checks.push(problem(`${typed(column, 'DOUBLE')} < 0`, REJECT_REASONS.negativeAmount, column));
    checks.push(problem(`${typed(column, 'DOUBLE')} >= ${MAX_AMOUNT}`, REJECT_REASONS.amountOutOfRange, column));
  }
  if (entity === 'opportunities') {
    checks.push(problem(`${typed('close_date', 'DATE')} < ${typed('created_date', 'DATE')}`, REJECT_REASONS.closeBeforeCreation, 'close_date'));
  }
  if (STAGED.includes(entity) && context.knownStages.length > 0) {
    checks.push(problem(`${text('stage')} NOT IN (${context.knownStages.map(quoteLiteral).join(', ')})`, REJECT_REASONS.unknownStage, 'stage'));
  }
  // The first row with a key is kept; later rows with the same key are rejected.
  const duplicate = spec.key.length > 0 ? `row_number() OVER (PARTITION BY ${spec.key.map((k) => text(k)).join(', ')} ORDER BY __line) > 1` : 'false';
  if (spec.key.length > 0) checks.push(problem('__duplicate', REJECT_REASONS.duplicateKey, spec.key[spec.key.length - 1]!));

  const typedColumns = columns.map(([column, c]) => `${typed(column, c.type)} AS ${quoteIdent(column)}`);
  return `
    WITH source AS (SELECT *, ${duplicate} AS __duplicate FROM ${rawTable})
    SELECT __file, __line, ${typedColumns.join(', ')}, coalesce(${checks.join(', ')}) AS __problem
    FROM source ${joins.join('\n    ')}`;
}

/** A text column as its contract type; NULL when empty or unparseable (NaN and infinity are no numbers a CRM means). */
function typed(column: string, type: ColumnType): string {
  const value = `nullif(trim(${quoteIdent(column)}), '')`;
  if (type === 'VARCHAR') return value;
  if (type === 'DOUBLE') return `CASE WHEN isfinite(TRY_CAST(${value} AS DOUBLE)) THEN TRY_CAST(${value} AS DOUBLE) END`;
  return `TRY_CAST(${value} AS ${type})`;
}
