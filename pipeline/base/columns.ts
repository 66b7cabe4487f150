/**
 * Reads a query result column by column straight from DuckDB's data chunks into typed arrays:
 * no object per row and no intermediate JS array per column. Numeric columns become Float32Array
 * (NULL -> NaN) or Float64Array; text columns become string arrays.
 */
import { DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';

export type ColumnKind = 'float32' | 'float64' | 'text';

export type ColumnArray<K extends ColumnKind> = K extends 'float32'
  ? Float32Array
  : K extends 'float64'
    ? Float64Array
    : (string | null)[];

export type Columns<S extends Record<string, ColumnKind>> = { [name in keyof S]: ColumnArray<S[name]> };

/**
 * Runs `sql` and returns its columns by name as declared in `schema` (every column of the result
 * must be declared). Numeric columns must come out of SQL as DOUBLE (cast them), text as VARCHAR.
 */
export async function readColumns<S extends Record<string, ColumnKind>>(
  conn: DuckDBConnection,
  sql: string,
  schema: S,
): Promise<{ rowCount: number; columns: Columns<S> }> {
  const result = await conn.run(sql);
  const rowCount = result.rowCount;
  const names = result.columnNames();
  const columns: Record<string, Float32Array | Float64Array | (string | null)[]> = {};
  names.forEach((name, index) => {
    const kind = schema[name];
    if (!kind) throw new Error(`readColumns: result column ${name} is not in the schema`);
    const typeId = result.columnTypeId(index);
    const expected = kind === 'text' ? DuckDBTypeId.VARCHAR : DuckDBTypeId.DOUBLE;
    if (typeId !== expected)
      throw new Error(
        `readColumns: column ${name} is ${DuckDBTypeId[typeId]}, cast it to ${DuckDBTypeId[expected]} in SQL`,
      );
    columns[name] =
      kind === 'float32'
        ? new Float32Array(rowCount)
        : kind === 'float64'
          ? new Float64Array(rowCount)
          : new Array<string | null>(rowCount);
  });
  for (const name of Object.keys(schema))
    if (!(name in columns)) throw new Error(`readColumns: the query returned no column ${name}`);

  let offset = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const size = chunk.rowCount;
    names.forEach((name, index) => {
      const vector = chunk.getColumnVector(index);
      const target = columns[name]!;
      if (Array.isArray(target)) {
        for (let i = 0; i < size; i++) target[offset + i] = vector.getItem(i) as string | null;
      } else {
        for (let i = 0; i < size; i++) {
          const value = vector.getItem(i) as number | null;
          target[offset + i] = value === null ? Number.NaN : value;
        }
      }
    });
    offset += size;
  }
  return { rowCount, columns: columns as Columns<S> };
}
