/** Moved to the base layer (pipeline/base/columns.ts, pipeline/base/db.ts); kept so that existing imports work. */
export * from '../pipeline/base/columns.ts';
export { tableColumns, tableExists } from '../pipeline/base/db.ts';
