import { quoteLiteral, type DuckDBConnection } from '../base/db.ts';

/**
 * `custom_attribute_known_at`: what the mapping declares about export columns beyond the contract
 * (`known_at: {column: creation | close}`), for the features' leakage guard to obey
 * (pipeline/features/export-columns.ts). Rewritten by every load, empty without declarations.
 */
export async function recordKnownAt(
  conn: DuckDBConnection,
  declared: Record<string, 'creation' | 'close'>,
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE custom_attribute_known_at (entity VARCHAR, name VARCHAR, known_at VARCHAR)`);
  const rows = Object.entries(declared).map(
    ([name, knownAt]) => `(NULL, ${quoteLiteral(name)}, ${quoteLiteral(knownAt)})`,
  );
  if (rows.length > 0) await conn.run(`INSERT INTO custom_attribute_known_at VALUES ${rows.join(', ')}`);
}
