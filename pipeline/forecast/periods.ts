/** Moved to the base layer (pipeline/base/dates.ts, pipeline/base/periods.ts); kept so that existing imports work. */
export { addDays, dayNumber, isoFromDay } from '../base/dates.ts';
export * from '../base/periods.ts';
