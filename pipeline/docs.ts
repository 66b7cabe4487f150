/**
 * Renders the data contract and the feature catalog from the code that defines them, so the docs
 * cannot drift: `npm run docs` writes them, and a test fails when the committed copies are stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FAMILY_LABELS, FEATURES, type FeatureFamily } from './features/catalog.ts';
import { ENTITY_NAMES, SCHEMA, type ColumnSpec } from './load/schema.ts';

export function renderDataContract(): string {
  const lines = [
    '# Data contract (canonical layout)',
    '',
    'Generated from `pipeline/load/schema.ts` by `npm run docs`; do not edit by hand.',
    '',
    'One file per entity in the export folder, named `<file>.csv` (or `.parquet`, `.json`, `.ndjson`), with a header row.',
    'Rows that break the contract are quarantined in the `load_rejects` table with file, line, column, value and reason',
    '(missing required value, unparseable date/number, duplicate key, reference to a missing or rejected parent, negative amount,',
    'close before creation, unknown stage); the rest loads. A missing required file or column, an unreadable file, or more than',
    '`--max-reject-rate` (default 5%) of an entity rejected stops the load and changes nothing.',
    '',
    'Each load is the snapshot of one as-of date (`--as-of`, else the date in the folder\'s `as_of.txt`, else today), kept in',
    '`snapshots` and `snapshot_opportunities`; without an `opportunity_history` file, the history is derived from successive snapshots.',
    '',
  ];
  for (const entity of ENTITY_NAMES) {
    const spec = SCHEMA[entity];
    lines.push(`## ${entity} (\`${spec.file}\`)${spec.required ? '' : ' — optional'}`, '', spec.description, '');
    if (spec.key.length > 0) lines.push(`Key: ${spec.key.map((k) => `\`${k}\``).join(' + ')}`, '');
    lines.push('| column | type | required | references | meaning |', '|---|---|---|---|---|');
    for (const [column, c] of Object.entries(spec.columns) as [string, ColumnSpec][]) {
      lines.push(`| \`${column}\` | ${c.type.toLowerCase()} | ${c.required ? 'yes' : ''} | ${c.references ?? ''} | ${c.description} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function renderFeatureCatalog(): string {
  const lines = [
    '# Feature catalog',
    '',
    'Generated from `pipeline/features/catalog.ts` by `npm run docs`; do not edit by hand.',
    'Every feature is computed as of a date from records stamped on or before it (see `pipeline/features/sql/`).',
    '',
  ];
  for (const [family, label] of Object.entries(FAMILY_LABELS)) {
    lines.push(`## ${label}`, '', '| feature | definition | unit | effect | needs |', '|---|---|---|---|---|');
    for (const feature of FEATURES.filter((f) => f.family === (family as FeatureFamily))) {
      lines.push(`| \`${feature.name}\` | ${feature.definition} | ${feature.unit} | ${feature.direction} | ${feature.needs.join(', ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export const DOCS = {
  'docs/data-contract.md': renderDataContract,
  'docs/features.md': renderFeatureCatalog,
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, render] of Object.entries(DOCS)) writeFileSync(new URL(`../${path}`, import.meta.url), render());
}
