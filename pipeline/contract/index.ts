/**
 * The contract as readers outside the stages see it (the report's loaders): the loaded entities the
 * export contract declares (pipeline/load/schema.ts) and which of their data is personal
 * (pipeline/load/personal-data.ts). A reader depends on this surface, not on the load stage's files.
 */
export { ENTITY_NAMES, type EntityName } from '../load/schema.ts';
export { isPersonal } from '../load/personal-data.ts';
