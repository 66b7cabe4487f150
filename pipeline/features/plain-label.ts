/**
 * A feature's name in words, for the deal factors the model explains and the report's pages: the first
 * sentence of its catalog definition, or the export column's name spelled out.
 */
import { FEATURES } from './catalog.ts';

const DEFINITIONS = new Map(FEATURES.map((feature) => [feature.name, feature.definition]));
const EXTRA_LABELS: Record<string, string> = {
  stage: 'Sales stage in the CRM',
  segment: 'Segment',
  industry: 'Industry',
  region: 'Region',
  product_line: 'Product line',
  lead_source: 'Lead source',
  type: 'Deal type',
};

/** The first sentence of the catalog definition; export columns by their name in words ("Account: tier rank"). */
export function plainLabel(feature: string): string {
  const definition = DEFINITIONS.get(feature) ?? EXTRA_LABELS[feature];
  if (definition) return definition.split(/(?<=\.)\s/)[0]!.replace(/\.$/, '');
  const words = (name: string) => name.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
  if (feature.startsWith('custom_account_'))
    return `Account: ${words(feature.slice('custom_account_'.length)).toLowerCase()}`;
  return feature.startsWith('custom_') ? words(feature.slice('custom_'.length)) : feature.replaceAll('_', ' ');
}
