/**
 * Azure Synapse Link for Dataverse writes each table as headerless CSV partitions
 * (`opportunity/2024-01.csv`, ...) beside a `model.json` (Common Data Model) that lists every
 * table's columns in order. A mapping names the table (`opportunity`); its columns come from there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WuweiError } from '../../base/errors.ts';

export interface HeaderlessTable {
  /** The table's partition files. */
  paths: string[];
  /** Column names in file order, from model.json. */
  columns: string[];
}

interface ModelJson {
  entities?: { name?: string; attributes?: { name?: string }[]; partitions?: { location?: string }[] }[];
}

/** The partitions and columns of table `name` when the source offers a model.json that lists it. */
export function headerlessTable(files: Map<string, string>, name: string): HeaderlessTable | undefined {
  const model = files.get('model.json');
  if (!model) return undefined;
  let parsed: ModelJson;
  try {
    parsed = JSON.parse(readFileSync(model, 'utf8').replace(/^\uFEFF/, '')) as ModelJson;
  } catch (error) {
    throw new WuweiError('bad_input', `${model}: not valid JSON: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  const entity = parsed.entities?.find((e) => e.name?.toLowerCase() === name.toLowerCase());
  if (!entity) return undefined;
  const columns = (entity.attributes ?? []).map((a) => a.name ?? '');
  if (columns.length === 0 || columns.some((c) => c === ''))
    throw new WuweiError('bad_input', `${model}: table '${name}' lists no column names`);
  const root = dirname(model);
  const folder = join(root, entity.name!);
  const named = (entity.partitions ?? [])
    .map((p) => basename(String(p.location ?? '').split('?')[0]!))
    .flatMap((file) => [join(folder, file), join(root, file)].filter((p) => existsSync(p)).slice(0, 1));
  const inFolder =
    existsSync(folder) && statSync(folder).isDirectory()
      ? readdirSync(folder)
          .filter((f) => f.toLowerCase().endsWith('.csv'))
          .sort()
          .map((f) => join(folder, f))
      : [];
  const paths =
    named.length > 0
      ? named
      : inFolder.length > 0
        ? inFolder
        : [join(root, `${entity.name}.csv`)].filter((p) => existsSync(p));
  return paths.length > 0 ? { paths, columns } : undefined;
}
