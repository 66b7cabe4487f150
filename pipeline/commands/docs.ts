/**
 * Renders the data contract and the feature catalog from the code that defines them, so the docs
 * cannot drift: `npm run docs` writes them, and a test fails when the committed copies are stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FAMILY_LABELS, FEATURES, RELATIONSHIP_STRENGTH, type FeatureFamily } from '../features/catalog.ts';
import { ENTITY_NAMES, SCHEMA, type ColumnSpec } from '../load/schema.ts';
import { TABLES } from '../contract/tables.ts';
import { renderLayouts } from '../load/mapping/docs.ts';
import { renderWritebackDoc } from '../score/writeback.ts';

export function renderDataContract(): string {
  const lines = [
    '# Data contract (canonical layout)',
    '',
    'Generated from `pipeline/load/schema.ts` and `pipeline/contract/` by `npm run docs`; do not edit by hand.',
    '',
    'One file per entity in the export folder, named `<file>.csv` (or `.parquet`, `.json`, `.ndjson`), with a header row.',
    'Rows that break the contract are quarantined in the `load_rejects` table with file, line, column, value and reason',
    '(missing required value, unparseable date/number, duplicate key, reference to a missing or rejected parent, negative amount, amount out of range,',
    "a closed deal's close before creation; an open deal's unreadable, implausible or earlier-than-creation close date is cleared and the deal kept;",
    "a stage the CRM's list lacks is kept as a stage of its own); the rest loads. A missing required file or column, an unreadable file, or more than",
    '`--max-reject-rate` (else `max_reject_share` in the mapping, else `load.maxRejectShare` in the config, else 5%) of an entity rejected stops the load and changes nothing.',
    '',
    "Each load is the snapshot of one as-of date (`--as-of`, else the date in the folder's `as_of.txt`, else today), kept in",
    '`snapshots` and `snapshot_opportunities`; without an `opportunity_history` file, the history is derived from successive snapshots.',
    '',
  ];
  for (const entity of ENTITY_NAMES) {
    const spec = SCHEMA[entity];
    lines.push(`## ${entity} (\`${spec.file}\`)${spec.required ? '' : ' — optional'}`, '', spec.description, '');
    if (spec.key.length > 0) lines.push(`Key: ${spec.key.map((k) => `\`${k}\``).join(' + ')}`, '');
    lines.push('| column | type | required | references | meaning |', '|---|---|---|---|---|');
    for (const [column, c] of Object.entries(spec.columns) as [string, ColumnSpec][]) {
      lines.push(
        `| \`${column}\` | ${c.type.toLowerCase()} | ${c.required ? 'yes' : ''} | ${c.references ?? ''} | ${c.description} |`,
      );
    }
    lines.push('');
  }
  lines.push(...BEYOND_THE_CONTRACT, ...renderOutputTables());
  return lines.join('\n');
}

/** The tables the stages write, from the table contract (pipeline/contract/). */
function renderOutputTables(): string[] {
  const entities = new Set<string>(ENTITY_NAMES);
  const lines = [
    '# Tables Wuwei writes',
    '',
    'Generated from `pipeline/contract/` by `npm run docs`. Every persistent table in the DuckDB file is declared there',
    '(a test runs the real stages and fails on a table not declared or a column missing or of another type). Columns',
    'marked personal hold names or e-mail addresses: they reach a published report only when `report.showPersonalData` is on.',
    '',
  ];
  for (const table of TABLES.filter((t) => !entities.has(t.name))) {
    lines.push(`## ${table.name}${table.kind === 'view' ? ' (view)' : ''} — ${table.stage}`, '', table.description, '');
    if (table.key.length > 0) lines.push(`Key: ${table.key.map((k) => `\`${k}\``).join(' + ')}`, '');
    lines.push('| column | type | personal | meaning |', '|---|---|---|---|');
    for (const column of table.columns) {
      lines.push(
        `| \`${column.name}\` | ${column.type.toLowerCase()} | ${column.personal ? 'yes' : ''} | ${column.description} |`,
      );
    }
    if (table.featureColumns)
      lines.push(
        `| *the features* | double | | ${FEATURES.length} columns, one per feature of [features.md](features.md). |`,
      );
    if (table.extraColumns) lines.push(`| *more* | | | ${table.extraColumns}. |`);
    lines.push('');
  }
  return lines;
}

const BEYOND_THE_CONTRACT = [
  '## Other exports, custom attributes, currencies',
  '',
  '- Other layouts (Salesforce, HubSpot, Dynamics 365) and mapping files for any other export: see [layouts.md](layouts.md).',
  '- **Custom attributes.** Columns of the opportunities and accounts files that the contract does not name are kept, typed as',
  '  DuckDB infers them (boolean, integer, double, date, timestamp, else text), for the rows that loaded: every value in',
  '  `opportunity_custom_text` and `account_custom_text` as text, one row per record; the registry `custom_attribute_columns`',
  '  (name, feature name, type, numeric or not); and views over them: the same rows typed (`opportunity_custom_attributes`,',
  '  `account_custom_attributes`), one row per value (`custom_attributes`: entity, record_id, name, type, value as text), and',
  '  `opportunity_custom_features`: `opportunity_id` plus every numeric or yes/no attribute of the deal (`custom_<name>`)',
  '  and of its account (`custom_account_<name>`) as double. They hold the value at export time, not a history: a model may',
  '  use one only if it is set when the deal is created and not changed afterwards, or it leaks the outcome.',
  '  `wuwei features` adds them to `features_train` and `features_score` (numbers and yes/no as numbers, text as categories,',
  '  dates as their age in days at the observation) unless the leakage guard finds one filled or changed once deals close;',
  '  `export_columns` lists each with its encoding, whether the models use it and why not (see docs/features.md).',
  '- **Currency.** `opportunities.currency` names the currency of `amount`. Amounts (opportunities, their history, line-item',
  "  prices) are converted to one reporting currency: `--reporting-currency`, else the mapping's `reporting_currency`, else the",
  '  most common currency of the deals. Rates come from `currency_rates.csv` (or .parquet, .json) in the export:',
  '  `currency`, `rate_to_reporting` (reporting units per unit of the currency) and optionally `valid_from` (a rate applies from',
  "  that date to the record's own date: creation for deals, change date for history). A deal in a currency without a rate is",
  '  rejected (`no exchange rate to <currency>`); `currency` keeps the original code.',
  '',
];

export function renderFeatureCatalog(): string {
  const lines = [
    '# Feature catalog',
    '',
    'Generated from `pipeline/features/catalog.ts` by `npm run docs`; do not edit by hand.',
    'Every feature is computed as of a date from records stamped on or before it (see `pipeline/features/sql/`).',
    'A feature whose needed exports are empty is left empty (NULL) in the marts and listed in `feature_support`, never filled with zeros;',
    '"empty when" says when a value is undefined by design. The range is checked on the marts by a data test.',
    '',
    `${FEATURES.length} features in ${Object.keys(FAMILY_LABELS).length} families.`,
    '',
    '## Relationship strength',
    '',
    RELATIONSHIP_STRENGTH,
    '',
  ];
  const bound = (value: number | null) => (value === null ? '' : String(value));
  for (const [family, label] of Object.entries(FAMILY_LABELS)) {
    lines.push(
      `## ${label}`,
      '',
      '| feature | definition | unit | range | effect | empty when | needs |',
      '|---|---|---|---|---|---|---|',
    );
    for (const feature of FEATURES.filter((f) => f.family === (family as FeatureFamily))) {
      const range =
        feature.range[0] === null && feature.range[1] === null
          ? 'any'
          : `${bound(feature.range[0])}..${bound(feature.range[1])}`;
      lines.push(
        `| \`${feature.name}\` | ${feature.definition} | ${feature.unit} | ${range} | ${feature.direction} | ${feature.nullWhen ?? ''} | ${feature.needs.join(', ')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

export const DOCS = {
  'docs/data-contract.md': renderDataContract,
  'docs/features.md': renderFeatureCatalog,
  'docs/layouts.md': renderLayouts,
  'docs/writeback.md': renderWritebackDoc,
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, render] of Object.entries(DOCS)) writeFileSync(new URL(`../../${path}`, import.meta.url), render());
}
