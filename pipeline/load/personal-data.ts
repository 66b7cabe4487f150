/**
 * Which loaded data is personal, declared once: the load's messages and `load_rejects.csv`, the run
 * records and the report's data-quality page all withhold by this declaration unless personal data
 * is allowed (`--show-personal-data`, `report.showPersonalData`). Withholding goes by entity, not by
 * a list of column names: a row of contacts or users is a person, whatever the export calls its
 * columns, and any column that identifies a person may be an e-mail when an export keys people by it.
 * The database's `load_rejects` keeps every value, so the export can be fixed.
 */
import { quoteLiteral } from '../base/db.ts';
import type { EntityName } from './schema.ts';

/** Entities whose rows are people: every value of theirs is personal. */
export const PERSONAL_ENTITIES: readonly EntityName[] = ['contacts', 'users'];

/** Columns of other entities that identify a person (a user or a contact). */
export const PERSON_ID_COLUMNS: Partial<Record<EntityName, readonly string[]>> = {
  accounts: ['owner_id'],
  opportunities: ['owner_id'],
  opportunity_contact_roles: ['contact_id'],
  activity_participants: ['participant_id'],
};

/**
 * Whether a value of `entity` may identify a person. `column` null is a whole malformed line: it holds
 * every field, so it is personal when any of the entity's columns is.
 */
export function isPersonal(entity: string, column: string | null): boolean {
  if ((PERSONAL_ENTITIES as readonly string[]).includes(entity)) return true;
  const ids = PERSON_ID_COLUMNS[entity as EntityName] ?? [];
  return column === null ? ids.length > 0 : ids.includes(column);
}

/** The same rule as SQL over an entity and a column-name expression (e.g. `load_rejects`' columns). */
export function isPersonalSql(entity: string, column: string): string {
  const list = (values: readonly string[]) => values.map(quoteLiteral).join(', ');
  const ids = Object.entries(PERSON_ID_COLUMNS).map(
    ([e, columns]) => `(${entity} = ${quoteLiteral(e)} AND (${column} IS NULL OR ${column} IN (${list(columns!)})))`,
  );
  return `(${entity} IN (${list(PERSONAL_ENTITIES)}) OR ${ids.join(' OR ')})`;
}

/** What stands in for a withheld value in files written for people. */
export const WITHHELD = '(withheld: personal data)';
