import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One SQL model: a file whose name is the table it makes, in a layer (staging, intermediate, marts). */
export interface SqlModel {
  name: string;
  layer: string;
  sql: string;
  dependsOn: string[];
}

const SQL_DIR = fileURLToPath(new URL('./sql/', import.meta.url));
const LAYERS = ['staging', 'intermediate', 'marts'];

/** Reads every model and orders them so each runs after the models it names (as dbt's ref would). */
export function readSqlModels(): SqlModel[] {
  const models = LAYERS.flatMap((layer) =>
    readdirSync(join(SQL_DIR, layer))
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .map((file) => ({ name: basename(file, '.sql'), layer, sql: readFileSync(join(SQL_DIR, layer, file), 'utf8') })),
  );
  const names = new Set(models.map((m) => m.name));
  const withDeps = models.map((model) => ({
    ...model,
    dependsOn: [...names].filter(
      (other) => other !== model.name && new RegExp(`\\b${other}\\b`).test(stripComments(model.sql)),
    ),
  }));
  return topologicalOrder(withDeps);
}

function topologicalOrder(models: SqlModel[]): SqlModel[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const ordered: SqlModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: SqlModel, path: string[]) => {
    if (state.get(model.name) === 'done') return;
    if (state.get(model.name) === 'visiting')
      throw new Error(`SQL models depend on each other in a cycle: ${[...path, model.name].join(' -> ')}`);
    state.set(model.name, 'visiting');
    for (const dep of model.dependsOn) visit(byName.get(dep)!, [...path, model.name]);
    state.set(model.name, 'done');
    ordered.push(model);
  };
  for (const model of models) visit(model, []);
  return ordered;
}

function stripComments(sql: string): string {
  return sql.replace(/--.*$/gm, '');
}
