/**
 * One feature family's slice of the mart: which SQL models its columns need, and a query that
 * computes only its columns. Read from the mart file itself (its import CTEs, the one-line
 * expression of each feature, its joins), so that an analyst who edits a family's SQL and re-runs
 * gets exactly what the full build would compute for those columns.
 */
import { WuweiError } from '../base/errors.ts';
import { FAMILY_LABELS, FEATURES, type FeatureFamily } from './catalog.ts';
import type { SqlModel } from './sql-models.ts';

export const FEATURE_MART = 'fct_opportunity_features';

export interface FamilySlice {
  family: FeatureFamily;
  features: string[];
  /** The staging and intermediate models the family's columns read, directly or not, in run order. */
  models: SqlModel[];
  /** Keys (`opportunity_id`, `as_of`) and the family's columns, one row per mart row. */
  sql: string;
}

/** The family named on the command line, or a one-line error listing the valid ones. */
export function parseFamily(name: string): FeatureFamily {
  if (Object.hasOwn(FAMILY_LABELS, name)) return name as FeatureFamily;
  throw new WuweiError(
    'bad_option',
    `unknown feature family '${name}': choose one of ${Object.keys(FAMILY_LABELS).join(', ')}, or custom (the export's own columns)`,
  );
}

/** The family's slice; with `only`, just those of its features (to find the one column that fails). */
export function familySlice(family: FeatureFamily, models: SqlModel[], only?: readonly string[]): FamilySlice {
  const mart = models.find((model) => model.name === FEATURE_MART);
  if (!mart) throw new Error(`no SQL model ${FEATURE_MART}`);
  const shape = parseMart(mart.sql);
  const features = FEATURES.filter(
    (feature) => feature.family === family && (!only || only.includes(feature.name)),
  ).map((feature) => feature.name);

  const aliases = new Set<string>();
  const columns = features.map((name) => {
    const expression = shape.expressions.get(name);
    if (expression === undefined) {
      throw new WuweiError(
        'bad_input',
        `${FEATURE_MART}.sql: feature ${name} must be one line '<expression> as ${name},' in the final select`,
      );
    }
    for (const alias of referencedAliases(expression, name, shape)) aliases.add(alias);
    return `        ${expression} as ${name}`;
  });
  aliases.delete(shape.base);
  const joins = [...aliases].map((alias) => {
    const using = shape.joins.get(alias);
    if (!using)
      throw new WuweiError(
        'bad_input',
        `${FEATURE_MART}.sql: '${alias}' is read by ${family} but not joined with 'left join ${alias} using (...)'`,
      );
    return `left join ${alias} using (${using})`;
  });
  const imports = [shape.base, ...aliases].map((alias) => `${alias} as (select * from ${shape.imports.get(alias)})`);
  const sql = [
    `with`,
    imports.join(',\n'),
    `select`,
    `        ${shape.base}.opportunity_id,`,
    `        ${shape.base}.as_of,`,
    columns.join(',\n'),
    `from ${shape.base}`,
    ...joins,
  ].join('\n');

  const needed = neededModels(
    [shape.base, ...aliases].map((alias) => shape.imports.get(alias)!),
    models,
  );
  return { family, features, models: models.filter((model) => needed.has(model.name)), sql };
}

interface MartShape {
  /** Import CTE alias -> the model it reads (`observed as (select * from int_observed_deals)`). */
  imports: Map<string, string>;
  /** The alias the final select starts from (`from observed`). */
  base: string;
  /** Joined alias -> its `using` columns. */
  joins: Map<string, string>;
  /** Output column -> its one-line expression. */
  expressions: Map<string, string>;
}

function parseMart(sql: string): MartShape {
  const text = sql.replace(/--.*$/gm, '');
  const imports = new Map(
    [...text.matchAll(/^\s*(\w+) as \(select \* from (\w+)\),?\s*$/gim)].map((m) => [m[1]!, m[2]!]),
  );
  const joins = new Map(
    [...text.matchAll(/^\s*left join (\w+) using \(([^)]*)\)\s*$/gim)].map((m) => [m[1]!, m[2]!.trim()]),
  );
  const expressions = new Map([...text.matchAll(/^\s*(\S.*?)\s+as\s+(\w+),?\s*$/gim)].map((m) => [m[2]!, m[1]!]));
  const base = /^\s*from (\w+)\s*$/im.exec(text)?.[1];
  if (!base || !imports.has(base))
    throw new WuweiError(
      'bad_input',
      `${FEATURE_MART}.sql: the final select must read 'from <import>' on its own line`,
    );
  return { imports, base, joins, expressions };
}

/** The import CTEs an expression reads (`account.past_won` reads `account`). */
function referencedAliases(expression: string, feature: string, shape: MartShape): string[] {
  const qualifiers = [...expression.replace(/'[^']*'/g, "''").matchAll(/\b([a-z_]\w*)\./gi)].map((m) => m[1]!);
  const unknown = qualifiers.filter((alias) => !shape.imports.has(alias));
  if (unknown.length > 0)
    throw new WuweiError(
      'bad_input',
      `${FEATURE_MART}.sql: ${feature} reads ${unknown.join(', ')}, which is not an import CTE of the mart`,
    );
  return [...new Set(qualifiers)];
}

/** The models named and every model they depend on, transitively. */
function neededModels(names: string[], models: SqlModel[]): Set<string> {
  const byName = new Map(models.map((model) => [model.name, model]));
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const model = byName.get(name);
    if (!model) return; // an export table (loaded, not built)
    needed.add(name);
    for (const dependency of model.dependsOn) visit(dependency);
  };
  for (const name of names) visit(name);
  return needed;
}
