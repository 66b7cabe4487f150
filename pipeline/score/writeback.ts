/**
 * Score exports a CRM admin can import, one file per CRM, each defined here column by column:
 * the files are written from these definitions and `docs/writeback.md` is generated from them
 * (`npm run docs`), so the two cannot disagree. All read one night of the `scores` table.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { copyToSafeCsv } from '../base/spreadsheet-safe-csv.ts';

import type { WritebackFormat } from './writeback-formats.ts';
export { WRITEBACK_FORMATS, type WritebackFormat } from './writeback-formats.ts';

export interface ExportColumn {
  name: string;
  /** SQL over one night of the `scores` table. */
  sql: string;
  meaning: string;
  /** The target field's declared length in characters: longer text is cut to fit (see `fitted`). */
  maxLength?: number;
}

export interface ExportSpec {
  title: string;
  file: string;
  howToImport: string;
  columns: ExportColumn[];
}

const factors = (column: string) => `coalesce(${column}, '')`;

/**
 * SQL for a text cut to `max` characters, so an import does not reject the row: whole factors (items
 * separated by `separator`) are kept and `…` marks the rest; a first item that alone is too long is
 * cut at a word. Text that fits is left as it is.
 */
export function fitted(sql: string, max: number, separator = '; '): string {
  const v = `(${sql})`;
  const sep = quoteLiteral(separator);
  const ellipsis = `${separator}…`;
  // The longest run of whole items that leaves room for the separator and the ellipsis.
  const items = `regexp_extract(left(${v}, ${max - ellipsis.length + separator.length}), '^(.*)' || regexp_escape(${sep}), 1)`;
  const words = `regexp_extract(left(${v}, ${max - 1}), '^(.*) ', 1)`;
  return `CASE WHEN length(${v}) <= ${max} THEN ${v}
    WHEN ${items} <> '' THEN ${items} || ${quoteLiteral(ellipsis)}
    WHEN ${words} <> '' THEN ${words} || '…'
    ELSE left(${v}, ${max - 1}) || '…' END`;
}

/** The generic export: `scores.csv` every night, `scores.parquet` on request. */
export const GENERIC_COLUMNS: ExportColumn[] = [
  { name: 'opportunity_id', sql: 'opportunity_id', meaning: 'The deal id from the export.' },
  {
    name: 'win_probability',
    sql: 'round(win_probability, 6)',
    meaning: 'Calibrated probability that the deal is won, 0..1.',
  },
  { name: 'score', sql: 'score', meaning: 'Win probability as a whole number 0..100.' },
  { name: 'grade', sql: 'grade', meaning: 'A, B, C or D by the configured score bands (`grades` in the config).' },
  {
    name: 'trend',
    sql: 'trend',
    meaning:
      'improving, steady, declining (score moved by at least `scores.trendThreshold` points since the previous run) or new.',
  },
  { name: 'previous_score', sql: 'previous_score', meaning: "The deal's score in the previous run; empty when new." },
  {
    name: 'expected_amount',
    sql: 'round(expected_amount, 2)',
    meaning: "Amount expected if won; the rep's amount while no amount model is trained.",
  },
  {
    name: 'predicted_close_date',
    sql: 'predicted_close_date',
    meaning: "Median predicted close date if the deal is won (the model's).",
  },
  {
    name: 'slip_risk',
    sql: 'round(slip_risk, 4)',
    meaning: "Probability the deal does not close in the period (quarter by default) of the rep's close date.",
  },
  {
    name: 'top_positive_factors',
    sql: factors('top_positive_factors'),
    meaning: 'What raises the score most, strongest first, separated by "; "; empty while the model gives no factors.',
  },
  {
    name: 'top_negative_factors',
    sql: factors('top_negative_factors'),
    meaning: 'What lowers the score most, as above.',
  },
  { name: 'stage', sql: 'stage', meaning: 'Stage as of the run.' },
  { name: 'amount', sql: 'amount', meaning: "The rep's amount as of the run." },
  {
    name: 'expected_close_date',
    sql: 'expected_close_date',
    meaning: "The rep's expected close date as of the run (the CRM's).",
  },
  {
    name: 'prediction_source',
    sql: 'prediction_source',
    meaning: '`model`, or `stage_baseline` when too little history to train.',
  },
  { name: 'model_version', sql: 'model_version', meaning: 'The model version that scored the deal.' },
  { name: 'scored_at', sql: 'scored_at', meaning: 'When the score was computed (UTC).' },
];

export const EXPORTS: Record<'generic' | Exclude<WritebackFormat, 'parquet'>, ExportSpec> = {
  generic: {
    title: 'Generic CSV / Parquet',
    file: 'scores.csv (every night) and scores.parquet (`writeback.formats: [parquet]`)',
    howToImport: "Any tool: one row per open deal, keyed by the export's opportunity id.",
    columns: GENERIC_COLUMNS,
  },
  salesforce: {
    title: 'Salesforce (Data Loader / Data Import Wizard, update Opportunity)',
    file: 'salesforce_opportunity_scores.csv',
    howToImport:
      'Create the custom fields below on Opportunity (number, text, date), then run an Update on Opportunity with Data Loader, matching by `Id`. The field API names map one to one, so no mapping file is needed.',
    columns: [
      {
        name: 'Id',
        sql: 'opportunity_id',
        meaning: 'Opportunity Id (the export must carry the Salesforce Id as opportunity_id).',
      },
      { name: 'Wuwei_Score__c', sql: 'score', meaning: 'Number(3,0): score 0..100.' },
      {
        name: 'Wuwei_Win_Probability__c',
        sql: 'round(100 * win_probability, 2)',
        meaning: 'Percent(5,2): calibrated win probability.',
      },
      { name: 'Wuwei_Grade__c', sql: 'grade', meaning: 'Text(1): A..D.', maxLength: 1 },
      { name: 'Wuwei_Trend__c', sql: 'trend', meaning: 'Text(10): improving, steady, declining, new.', maxLength: 10 },
      {
        name: 'Wuwei_Expected_Amount__c',
        sql: 'round(expected_amount, 2)',
        meaning: 'Currency(16,2): amount expected if won.',
      },
      {
        name: 'Wuwei_Expected_Close_Date__c',
        sql: 'predicted_close_date',
        meaning: 'Date: median predicted close date.',
      },
      {
        name: 'Wuwei_Slip_Risk__c',
        sql: 'round(100 * slip_risk, 2)',
        meaning: "Percent(5,2): probability of not closing in the rep's period.",
      },
      {
        name: 'Wuwei_Top_Positive_Factors__c',
        sql: factors('top_positive_factors'),
        meaning: 'Text Area(255): top positive factors.',
        maxLength: 255,
      },
      {
        name: 'Wuwei_Top_Negative_Factors__c',
        sql: factors('top_negative_factors'),
        meaning: 'Text Area(255): top negative factors.',
        maxLength: 255,
      },
      { name: 'Wuwei_Model_Version__c', sql: 'model_version', meaning: 'Text(40): model version.', maxLength: 40 },
      { name: 'Wuwei_Scored_On__c', sql: 'as_of', meaning: 'Date: the as-of date of the scores.' },
    ],
  },
  dynamics: {
    title: 'Dynamics 365 Sales (predictive score table `msdyn_predictivescore`)',
    file: 'dynamics_msdyn_predictivescore.csv',
    howToImport:
      "Import into the Predictive Score table (Data Management > Imports, or Dataverse dataflows), one row per opportunity. Grade and trend are the table's option values.",
    columns: [
      {
        name: 'msdyn_entityid',
        sql: 'opportunity_id',
        meaning: 'The opportunity id (the export must carry the Dataverse opportunityid).',
      },
      { name: 'msdyn_entitytype', sql: `'opportunity'`, meaning: 'Always `opportunity`.' },
      { name: 'msdyn_name', sql: `'Wuwei ' || model_version`, meaning: 'Record name: the model that scored it.' },
      { name: 'msdyn_score', sql: 'score', meaning: 'Integer score 0..100.' },
      {
        name: 'msdyn_grade',
        sql: `CASE grade WHEN 'A' THEN 0 WHEN 'B' THEN 1 WHEN 'C' THEN 2 ELSE 3 END`,
        meaning: 'Option value: 0 Grade A, 1 Grade B, 2 Grade C, 3 Grade D.',
      },
      {
        name: 'msdyn_scoretrend',
        sql: `CASE trend WHEN 'improving' THEN 0 WHEN 'steady' THEN 1 WHEN 'declining' THEN 2 ELSE 3 END`,
        meaning: 'Option value: 0 Improving, 1 Steady, 2 Declining, 3 Not enough info (a new deal).',
      },
      { name: 'msdyn_scoredon', sql: 'as_of', meaning: 'Date scored (the as-of date).' },
      {
        name: 'msdyn_scorereasons',
        sql: `concat_ws(' | ', nullif(${factors('top_positive_factors')}, ''), nullif(${factors('top_negative_factors')}, ''))`,
        meaning: 'Top positive then negative factors, as text.',
      },
    ],
  },
  hubspot: {
    title: 'HubSpot (import, update existing deals)',
    file: 'hubspot_deal_scores.csv',
    howToImport:
      'Create the deal properties below (internal names as the headers), then Import > Deals > update existing records, matching on `Record ID`.',
    columns: [
      {
        name: 'Record ID',
        sql: 'opportunity_id',
        meaning: 'HubSpot deal id (hs_object_id; the export must carry it as opportunity_id).',
      },
      { name: 'wuwei_score', sql: 'score', meaning: 'Number: score 0..100.' },
      { name: 'wuwei_win_probability', sql: 'round(win_probability, 4)', meaning: 'Number: win probability 0..1.' },
      { name: 'wuwei_grade', sql: 'grade', meaning: 'Dropdown: A, B, C, D.' },
      { name: 'wuwei_trend', sql: 'trend', meaning: 'Dropdown: improving, steady, declining, new.' },
      {
        name: 'wuwei_expected_amount',
        sql: 'round(expected_amount, 2)',
        meaning: 'Number (currency): amount expected if won.',
      },
      { name: 'wuwei_expected_close_date', sql: 'predicted_close_date', meaning: 'Date: median predicted close date.' },
      {
        name: 'wuwei_slip_risk',
        sql: 'round(slip_risk, 4)',
        meaning: "Number: probability of not closing in the rep's period, 0..1.",
      },
      {
        name: 'wuwei_top_factors',
        sql: `concat_ws(' | ', nullif(${factors('top_positive_factors')}, ''), nullif(${factors('top_negative_factors')}, ''))`,
        meaning: 'Multi-line text: top positive then negative factors.',
      },
      { name: 'wuwei_scored_on', sql: 'as_of', meaning: 'Date: the as-of date of the scores.' },
    ],
  },
};

/** Writes one night's scores in a spec's columns to `path` (CSV, or Parquet by extension), swapped in whole. */
export async function exportScores(
  conn: DuckDBConnection,
  asOf: string,
  columns: ExportColumn[],
  path: string,
): Promise<void> {
  const partial = `${path}.partial`;
  const select = columns
    .map((c) => `${c.maxLength ? fitted(c.sql, c.maxLength) : c.sql} AS ${quoteIdent(c.name)}`)
    .join(', ');
  const query = `SELECT ${select} FROM scores WHERE as_of = DATE ${quoteLiteral(asOf)} ORDER BY opportunity_id`;
  // Parquet keeps the raw values; CSV is opened in spreadsheets, so its text cells are made safe.
  if (path.endsWith('.parquet')) await conn.run(`COPY (${query}) TO ${quoteLiteral(partial)} (FORMAT parquet)`);
  else await copyToSafeCsv(conn, query, partial);
  renameSync(partial, path);
}

/** The file each write-back format produces. */
export function writebackFile(format: WritebackFormat): string {
  return format === 'parquet' ? 'scores.parquet' : EXPORTS[format].file;
}

/** Writes the chosen CRM import files for one night into the output folder. */
export async function writeBack(
  conn: DuckDBConnection,
  options: { asOf: string; formats: readonly WritebackFormat[]; outDir: string; log: Logger },
): Promise<{ files: string[] }> {
  mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  for (const format of options.formats) {
    const path = join(options.outDir, writebackFile(format));
    await exportScores(conn, options.asOf, format === 'parquet' ? GENERIC_COLUMNS : EXPORTS[format].columns, path);
    files.push(path);
  }
  if (files.length > 0) options.log.info(`write-back files: ${files.join(', ')}`);
  return { files };
}

/** docs/writeback.md, generated from the definitions above. */
export function renderWritebackDoc(): string {
  const lines = [
    '# Write-back: score files a CRM can import',
    '',
    'Generated from `pipeline/score/writeback.ts` by `npm run docs`; do not edit by hand.',
    'Each file holds one row per open deal of the latest run, in the output folder (default `data/out/`).',
    'Choose them with `writeback.formats` in the config or `wuwei writeback --format salesforce,dynamics,hubspot,parquet`.',
    '',
  ];
  for (const spec of Object.values(EXPORTS)) {
    lines.push(
      `## ${spec.title}`,
      '',
      `File: \`${spec.file}\``,
      '',
      spec.howToImport,
      '',
      '| column | meaning |',
      '|---|---|',
    );
    for (const column of spec.columns)
      lines.push(
        `| \`${column.name}\` | ${column.meaning}${column.maxLength ? ` At most ${column.maxLength} characters: longer text keeps whole factors and ends in "…".` : ''} |`,
      );
    lines.push('');
  }
  return lines.join('\n');
}
