/** Simulation time is whole days since 1970-01-01 (UTC); exports show ISO dates. */
const MS_PER_DAY = 86_400_000;

export function dayOf(isoDate: string): number {
  const ms = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: ${isoDate}`);
  return Math.floor(ms / MS_PER_DAY);
}

export function isoDate(day: number): string {
  return new Date(Math.floor(day) * MS_PER_DAY).toISOString().slice(0, 10);
}

/** A timestamp inside a day, for activities: `YYYY-MM-DD HH:MM:SS`. */
export function isoTimestamp(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 19).replace('T', ' ');
}
