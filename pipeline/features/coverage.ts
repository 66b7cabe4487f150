/**
 * Which feature families an export cannot support, said at load time: a family is out when every
 * one of its features needs an entity the export has no rows for (the features stage applies the
 * same rule to the tables it finds).
 */
import { FAMILY_LABELS, FEATURES, type FeatureFamily } from './catalog.ts';
import type { EntityName } from '../load/schema.ts';

export function unsupportedFamilies(emptyEntities: Iterable<EntityName>): Record<string, string[]> {
  const empty = new Set<string>(emptyEntities);
  const result: Record<string, string[]> = {};
  for (const family of Object.keys(FAMILY_LABELS) as FeatureFamily[]) {
    const blocked = FEATURES.filter((f) => f.family === family).map((f) => f.needs.filter((need) => empty.has(need)));
    if (blocked.length > 0 && blocked.every((missing) => missing.length > 0))
      result[family] = [...new Set(blocked.flat())];
  }
  return result;
}

export function describeUnsupported(families: Record<string, string[]>): string[] {
  return Object.entries(families).map(
    ([family, missing]) =>
      `${FAMILY_LABELS[family as FeatureFamily]} cannot be computed: the export has no ${missing.join(', ')}`,
  );
}
