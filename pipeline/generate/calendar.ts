/** Simulation time is whole days since 1970-01-01 (UTC); exports show ISO dates. */
const MS_PER_DAY = 86_400_000;

export function dayOf(isoDate: string): number {
  const ms = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: ${isoDate}`);
  return Math.floor(ms / MS_PER_DAY);
}

// A simulation touches a few thousand distinct days but formats tens of millions of dates: format each day once.
const formattedDays = new Map<number, string>();

export function isoDate(day: number): string {
  const whole = Math.floor(day);
  let text = formattedDays.get(whole);
  if (text === undefined) {
    text = new Date(whole * MS_PER_DAY).toISOString().slice(0, 10);
    formattedDays.set(whole, text);
  }
  return text;
}

/** A timestamp inside a day, for activities: `YYYY-MM-DD HH:MM:SS` (what `new Date(day * MS_PER_DAY).toISOString()` shows, without building a Date). */
export function isoTimestamp(day: number): string {
  const ms = Math.trunc(day * MS_PER_DAY); // as the Date constructor does
  const whole = Math.floor(ms / MS_PER_DAY);
  const seconds = Math.floor((ms - whole * MS_PER_DAY) / 1000);
  return `${isoDate(whole)} ${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
