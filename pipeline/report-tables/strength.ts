/**
 * Relationship strength as the feature catalog defines it (see STRENGTH in
 * pipeline/features/catalog.ts): meeting and demo 3, call 2, e-mail 1; 1.5x if the customer
 * initiated it; halved every 45 days. The report (its pages and its tables) uses the same weights so
 * its numbers match the model's.
 */
export const HALF_LIFE_DAYS = 45;

/** An activity's weight before decay, over the columns `type` and `direction` of the given alias. */
export function activityWeightSql(alias?: string): string {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  return `(CASE ${column('type')} WHEN 'meeting' THEN 3 WHEN 'demo' THEN 3 WHEN 'call' THEN 2 ELSE 1 END * CASE WHEN ${column('direction')} = 'inbound' THEN 1.5 ELSE 1 END)`;
}
