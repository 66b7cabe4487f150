/** Moved to the base layer; kept so that existing imports work. */
export * from './base/db.ts';
