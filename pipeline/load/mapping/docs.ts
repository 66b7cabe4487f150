/**
 * Renders docs/layouts.md from the built-in layout definitions and the mapping schema, so the
 * page that tells sales ops which file and field feeds which contract column cannot drift.
 */
import { ENTITY_NAMES } from '../schema.ts';
import type { ColumnRule } from './definition.ts';
import { builtInLayout, LAYOUT_NAMES } from './layouts.ts';
import { SHAPE_FIGURES } from './shape-figures.ts';
import { STANDARD_LIMITS } from './standard-limits.ts';

export function renderLayouts(): string {
  const lines = [
    '# Export layouts and mapping files',
    '',
    'Generated from `pipeline/load/mapping/` by `npm run docs`; do not edit by hand.',
    '',
    'Wuwei reads a CRM export through a **mapping**: for each entity of the [data contract](data-contract.md), the source',
    'file(s) and, for each contract column, the source column (or a constant) it comes from. The built-in layouts below are',
    'mappings; a mapping file describes any other export the same way.',
    '',
    '```sh',
    'wuwei load --source EXPORT_DIR                                # canonical layout',
    'wuwei load --source EXPORT_DIR --layout salesforce            # or hubspot, dynamics',
    'wuwei load --source EXPORT_DIR --mapping my-crm.yaml          # any other export',
    'wuwei load --source deals.parquet accounts.csv ...            # explicit files instead of a folder',
    'wuwei generate --out DIR --layout salesforce                  # the synthetic CRM in a layout',
    '```',
    '',
    '## Files',
    '',
    '- A file is named without extension in a mapping; `.csv`, `.txt`, `.tsv`, `.parquet`, `.json`, `.ndjson`, `.jsonl` are tried, case-insensitively.',
    '- DuckDB reads every file (`read_csv` with its sniffer: delimiter, quoting, header, UTF-8 BOM, sniffed once per file and the dialect reused by every read of it; `read_parquet`; `read_json`, JSON arrays or newline-delimited). CSV is read as text so that one bad value rejects one row, not the file.',
    '- Column names match whatever their case (Data Loader writes `STAGENAME`). A rule may list several names, the API name first and then report or UI labels (`[CloseDate, Close Date]`): the first the file has is read.',
    '- JSON as CRM APIs write it: a page envelope (`{"value": [...]}` from the Dataverse Web API, `{"results": [...]}` from HubSpot), HubSpot\'s `properties` (each a column of its own name), Dataverse lookups (`_parentaccountid_value` read as `parentaccountid`, its formatted value as `parentaccountidname`, the table it points at as `parentaccountidtype`); other nested objects become dotted names (`metadata.probability`), lists `;`-separated text (`associations.companies.results.id`).',
    '- Azure Synapse Link for Dataverse: a `model.json` beside headerless CSV partitions (`opportunity/2026-06.csv`): a table named in the mapping is read from its partitions with the column names model.json lists.',
    '- Dates with an offset keep the local date written (`2026-03-01T21:00:00-05:00` is 1 March); timestamps are converted to UTC.',
    "- Dates: ISO 8601 (`2025-03-01`, `2025-03-01T10:00:00Z`; an offset is converted to UTC), the format DuckDB sniffs in the file, a mapping's `date_format`, then `03/01/2025` (US, month first), `01.03.2025` (day first), and 12-13 digits as epoch milliseconds.",
    "- Numbers: `1,234.50` is read as 1234.5; with `decimal_separator: ','` `1.234,50` is. Currency symbols and codes are dropped (`$11,000.00`, `1,000 USD`); `75%` is 0.75 (`scale` is not applied to it). Without `decimal_separator`, a column of dot-grouped thousands (`25.000`) stops the load. Yes/no: true/false, t/f, yes/no, y/n, 1/0, x.",
    '- A file that cannot be read, lacks a column a required contract column comes from, names a column twice, is empty (0 bytes), is not in its encoding (UTF-8 unless declared; the message names the line and byte), or leaves a required entity without rows stops the load with one message naming the file; nothing changes.',
    '',
    '## Mapping file reference (YAML or JSON)',
    '',
    '```yaml',
    'name: my-crm                       # shown in the load summary',
    'reporting_currency: EUR            # optional; default: the most common currency of the deals',
    'currency_rates: fx                 # optional; default: currency_rates (currency, rate_to_reporting, valid_from)',
    "max_reject_share: 0.1              # optional; share of an entity's rows that may be rejected (default 0.05)",
    'encoding: latin-1                  # optional: utf-8 (default), latin-1, utf-16; a UTF-16 byte-order mark is recognised anyway',
    'known_at: { Loss Reason: close, Tender: creation }  # optional: export columns beyond the contract known only at close (left out of the models) or at creation (kept whatever the leakage guard says)',
    'entities:',
    '  opportunities:                   # a contract entity; a list of sources is read as their union',
    '    file: deals                    # deals.csv, deals.parquet, ...',
    "    decimal_separator: ','         # optional",
    "    date_format: '%d.%m.%Y'        # optional, DuckDB strptime format",
    "    encoding: utf-8                # optional: this file's encoding, when not the mapping's",
    '    where: { Pipeline: [Sales] }   # optional: only rows whose column holds one of these values (or { not_empty: true })',
    '    columns:',
    '      opportunity_id: Deal ID                                  # a source column',
    '      currency: { value: EUR }                                 # a constant',
    "      stage: { column: Phase, map: { '90': Closed Won } }      # values not in the map pass through",
    "      is_closed: { column: Phase, map: { '90': true }, default: false }  # default: empty or not in the map",
    '      probability: { column: Probability, scale: 0.01 }        # percent -> share',
    '      close_date: { first_of: [Actual Close, Expected Close] } # the first that has a value',
    '```',
    '',
    'Unknown fields and unknown contract columns are refused with their place in the file. Every file name, column name',
    'and value reaches SQL quoted. Columns of the opportunities and accounts files that the mapping does not use are kept',
    'as custom attributes (see the data contract).',
    '',
  ];
  if (SHAPE_FIGURES.length > 0) {
    lines.push(
      '## Vendor export shapes, measured',
      '',
      'Each shape as the vendor writes it (test/fixtures/vendors/, each with the documentation it follows), loaded with its layout and run end to end on a',
      'seeded 220-deal org: holdout AUC of the win model beside the stage-probability baseline, and the features constant or empty on the training rows',
      '(all of them listed below per layout). Reproduce with `npx vitest run test/load/vendor-exports.test.ts`.',
      '',
      '| shape | layout | holdout AUC | stage baseline | dead features | note |',
      '|---|---|---|---|---|---|',
    );
    for (const f of SHAPE_FIGURES)
      lines.push(
        `| ${f.shape} | \`${f.layout}\` | ${f.auc.toFixed(3)} | ${f.baselineAuc.toFixed(3)} | ${f.dead} of ${f.features} | ${f.note ?? ''} |`,
      );
    lines.push('');
  }
  for (const name of LAYOUT_NAMES.filter((n) => n !== 'canonical')) {
    const mapping = builtInLayout(name);
    lines.push(
      `## Layout \`${name}\``,
      '',
      mapping.description ?? '',
      '',
      `Definition: \`pipeline/load/mapping/layouts/${name}.yaml\`.`,
      '',
    );
    const limits = STANDARD_LIMITS[name];
    if (limits) {
      lines.push(
        'Optional, read when present (custom fields, and files not every org exports):',
        '',
        '| field or file | feeds |',
        '|---|---|',
      );
      for (const [field, feeds] of Object.entries(limits.optional)) lines.push(`| ${code(field)} | ${feeds} |`);
      lines.push(
        '',
        `Features an export of standard objects only cannot give (${Object.keys(limits.deadFeatures).length}; constant or empty on its training rows):`,
        '',
      );
      lines.push('| feature | needs |', '|---|---|');
      for (const [feature, needs] of Object.entries(limits.deadFeatures)) lines.push(`| ${code(feature)} | ${needs} |`);
      if (limits.deadWithoutHistory) {
        lines.push(
          '',
          `Also dead without a history export (Synapse Link exports no audit): ${Object.keys(limits.deadWithoutHistory).map(code).join(', ')}.`,
        );
      }
      for (const shape of Object.values(limits.shapes ?? {})) {
        const also = Object.entries(shape.alsoDead);
        lines.push(
          '',
          `${shape.name}: the same layout reads it through its label aliases; ${also.length === 0 ? 'no feature beyond those above is dead.' : `also dead (${also.length}):`}`,
        );
        if (also.length > 0) {
          lines.push('', '| feature | needs |', '|---|---|');
          for (const [feature, needs] of also) lines.push(`| ${code(feature)} | ${needs} |`);
        }
      }
      lines.push('');
    }
    lines.push('| entity | column | source |', '|---|---|---|');
    for (const entity of ENTITY_NAMES) {
      for (const source of mapping.entities[entity] ?? []) {
        const where = source.where
          ? ` where ${Object.entries(source.where)
              .map(
                ([c, f]) =>
                  `${code(c)} ${Array.isArray(f) ? `in ${f.map((v) => code(String(v))).join(', ')}` : 'not empty'}`,
              )
              .join(' and ')}`
          : '';
        lines.push(`| ${entity} | | file ${code(source.file)}${where} |`);
        for (const [column, rule] of Object.entries(source.columns))
          lines.push(`| | \`${column}\` | ${describeRule(rule)} |`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

function describeRule(rule: ColumnRule): string {
  if (typeof rule === 'string') return code(rule);
  if (Array.isArray(rule)) return rule.map(code).join(' or ');
  if (rule.value !== undefined) return `always ${code(String(rule.value))}`;
  if (rule.first_of) return `first of: ${rule.first_of.map(describeRule).join('; ')}`;
  if (rule.join) return `${rule.join.map(code).join(' + ')} joined`;
  const parts = [[rule.column!].flat().map(code).join(' or ')];
  if (rule.lookup)
    parts.push(`looked up in ${code(rule.lookup.file)} (${code(rule.lookup.key)} → ${code(rule.lookup.value)})`);
  if (rule.map)
    parts.push(
      `mapped ${Object.entries(rule.map)
        .map(([from, to]) => `${code(from)} → ${to === null ? 'empty' : code(String(to))}`)
        .join(', ')}`,
    );
  if (rule.default !== undefined) parts.push(`else ${rule.default === null ? 'empty' : code(String(rule.default))}`);
  if (rule.scale !== undefined) parts.push(`× ${rule.scale}`);
  return parts.join(' ');
}

function code(text: string): string {
  return `\`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
}
