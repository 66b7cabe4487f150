/**
 * `wuwei init`: a draft mapping for an unknown export. Reads every file of the export with the
 * readers the load uses, assigns files to contract entities (by file name and by which columns they
 * hold), matches contract columns by name and synonym where the type fits, proposes an open/won/lost
 * reading of the stage values found, lists the columns left over (kept as custom attributes) and
 * proposes an as-of date from the newest record. What it could not decide is written as a
 * `# CHECK:` line at the top of the file, so the hand edits a draft needs are the ones it names.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { queryRows, quoteIdent, type DuckDBConnection } from '../../base/db.ts';
import { WuweiError } from '../../base/errors.ts';
import { DEFAULTS } from '../../config/config.ts';
import { AS_OF_FILE, resolveAsOf } from '../as-of.ts';
import { SCHEMA, type ColumnSpec, type ColumnType } from '../schema.ts';
import { describeFile, listSourceFiles } from './source-files.ts';

type Entity = keyof typeof SCHEMA;

/** Source column names (lower case, letters and digits only) that mean a contract column; the contract's own name comes first. */
const SYNONYMS: Partial<Record<Entity, Record<string, string[]>>> = {
  opportunities: {
    opportunity_id: ['opportunityid', 'oppid', 'dealid', 'opportunity', 'deal', 'id', 'recordid'],
    account_id: [
      'accountid',
      'account',
      'accountname',
      'companyid',
      'company',
      'customerid',
      'customer',
      'clientid',
      'client',
    ],
    owner_id: [
      'ownerid',
      'owner',
      'salesagent',
      'salesrep',
      'rep',
      'dealowner',
      'opportunityowner',
      'assignedto',
      'userid',
    ],
    name: ['name', 'opportunityname', 'dealname', 'title'],
    type: ['type', 'opportunitytype', 'dealtype'],
    lead_source: ['leadsource', 'source'],
    product_line: ['productline', 'product', 'productfamily'],
    currency: ['currency', 'currencycode', 'isocurrencycode'],
    created_date: ['createddate', 'createdon', 'createdat', 'createdate', 'engagedate', 'opendate', 'startdate'],
    close_date: ['closedate', 'closedon', 'closingdate', 'closedat', 'actualclosedate', 'expectedclosedate'],
    stage: ['stage', 'stagename', 'dealstage', 'status', 'phase', 'pipelinestage'],
    probability: ['probability', 'winprobability', 'closeprobability'],
    forecast_category: ['forecastcategory'],
    is_closed: ['isclosed', 'closed'],
    is_won: ['iswon', 'won'],
    amount: ['amount', 'closevalue', 'dealvalue', 'dealamount', 'value', 'opportunityamount', 'expectedrevenue'],
  },
  accounts: {
    account_id: ['accountid', 'account', 'accountname', 'companyid', 'company', 'customerid', 'id'],
    name: ['name', 'accountname', 'companyname', 'account', 'company'],
    industry: ['industry', 'sector'],
    region: ['region', 'country', 'officelocation', 'territory'],
    segment: ['segment', 'tier'],
    employees: ['employees', 'numberofemployees', 'headcount'],
    annual_revenue: ['annualrevenue', 'revenue'],
    owner_id: ['ownerid', 'owner', 'accountowner'],
    created_date: ['createddate', 'createdon'],
  },
  users: {
    user_id: ['userid', 'salesagent', 'employeeid', 'ownerid', 'owner', 'rep', 'id', 'name'],
    name: ['name', 'fullname', 'salesagent'],
    title: ['title', 'jobtitle'],
    role: ['role'],
    team: ['team', 'salesteam'],
    region: ['region', 'regionaloffice', 'office'],
    manager_id: ['managerid', 'manager'],
    hire_date: ['hiredate', 'startdate'],
  },
};

/** Words in a file name that point at an entity. Files of optional entities are taken only with one. */
const FILE_HINTS: Record<Entity, string[]> = {
  opportunities: ['opportunit', 'deal', 'pipeline'],
  accounts: ['account', 'compan', 'customer', 'client'],
  users: ['user', 'team', 'agent', 'owner', 'employee', 'rep'],
  contacts: ['contact', 'people', 'person'],
  opportunity_history: ['history', 'audit', 'change'],
  opportunity_contact_roles: ['role'],
  activities: ['activit', 'engagement', 'task', 'event'],
  activity_participants: ['participant', 'attendee'],
  opportunity_competitors: ['competitor'],
  opportunity_line_items: ['line', 'item', 'product'],
};

/** Keywords of open stage names, in the order of the default open stages. */
const OPEN_STAGE_WORDS: [string, string[]][] = [
  ['Prospecting', ['prospect', 'lead', 'new']],
  ['Qualification', ['qualif', 'engag', 'contact']],
  ['Discovery', ['discover', 'need', 'demo', 'analysis', 'solution']],
  ['Proposal', ['propos', 'quote', 'offer', 'tender']],
  ['Negotiation', ['negot', 'contract', 'commit', 'closing', 'review']],
];
const WON_WORDS = ['won', 'win', 'signed', 'closedwon', 'booked'];
const LOST_WORDS = ['lost', 'lose', 'dead', 'closedlost', 'cancel', 'disqualif', 'rejected'];

interface FileInfo {
  name: string;
  path: string;
  reader: string;
  rows: number;
  columns: { name: string; type: string }[];
  assigned?: Entity;
}

export interface MappingSuggestion {
  /** The draft mapping (the object written as YAML). */
  mapping: {
    name: string;
    max_reject_share?: number;
    entities: Record<string, { file: string; columns: Record<string, unknown> }>;
  };
  /** Things to check or edit by hand, one line each. */
  checks: string[];
  stages: { value: string; rows: number; proposed: string }[];
  customColumns: Record<'opportunities' | 'accounts', string[]>;
  /** The newest record's date, and where a stated cut (as_of.txt) says otherwise. */
  asOf: string | null;
  statedAsOf: string | null;
  yaml: string;
}

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export async function suggestMapping(conn: DuckDBConnection, source: string): Promise<MappingSuggestion> {
  const files: FileInfo[] = [];
  for (const path of listSourceFiles(source).values()) {
    const name = basename(path);
    if (name.toLowerCase() === AS_OF_FILE || /^ground_truth(_moves)?\.csv$/i.test(name) || /\.(ya?ml|md)$/i.test(name))
      continue;
    if (!/\.(csv|txt|tsv|parquet|json|ndjson|jsonl)$/i.test(name)) continue;
    const file = describeFile(path);
    try {
      const columns = (
        await queryRows<{ column_name: string; column_type: string }>(
          conn,
          `DESCRIBE SELECT * FROM ${file.typedReader}`,
        )
      ).map((c) => ({ name: c.column_name, type: c.column_type }));
      const [{ n }] = (await queryRows<{ n: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n FROM ${file.typedReader}`,
      )) as [{ n: number }];
      files.push({ name, path, reader: file.typedReader, rows: n, columns });
    } catch {
      // not a table DuckDB can read (a readme, a data dictionary in another shape): not an entity
    }
  }
  if (files.length === 0) throw new WuweiError('missing_input', `${source}: no CSV, Parquet or JSON files to read`);

  const checks: string[] = [];
  const entities: MappingSuggestion['mapping']['entities'] = {};
  const matched = new Map<Entity, { file: FileInfo; columns: Record<string, string> }>();
  for (const entity of Object.keys(SCHEMA) as Entity[]) {
    const file = await pickFile(conn, entity, files);
    if (!file) {
      if (SCHEMA[entity].required)
        checks.push(`CHECK: no file found for ${entity} (required): add it under entities.${entity}`);
      continue;
    }
    file.assigned = entity;
    const columns = matchColumns(entity, file);
    matched.set(entity, { file, columns });
    for (const [column, spec] of Object.entries(SCHEMA[entity].columns)) {
      if (spec.required && !columns[column])
        checks.push(`CHECK: ${entity}.${column} is required and no column of ${file.name} looks like it`);
    }
    entities[entity] = { file: file.name, columns: { ...columns } };
  }

  // Stages: the values found, read as open, won or lost.
  const opportunities = matched.get('opportunities');
  const stages: MappingSuggestion['stages'] = [];
  if (opportunities?.columns['stage']) {
    const stageColumn = opportunities.columns['stage'];
    const values = await queryRows<{ value: string; rows: number }>(
      conn,
      `SELECT ${quoteIdent(stageColumn)}::VARCHAR AS value, count(*)::INTEGER AS rows FROM ${opportunities.file.reader} WHERE ${quoteIdent(stageColumn)} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1`,
    );
    for (const { value, rows } of values) stages.push({ value, rows, proposed: proposeStage(value) });
    const unsure = stages.filter((s) => s.proposed.endsWith('?'));
    for (const s of stages) s.proposed = s.proposed.replace(/\?$/, '');
    if (unsure.length > 0)
      checks.push(
        `CHECK: stage values read as an open stage by guess: ${unsure.map((s) => `${s.value} -> ${s.proposed}`).join(', ')}`,
      );
    if (!stages.some((s) => s.proposed === 'Closed Won') || !stages.some((s) => s.proposed === 'Closed Lost')) {
      checks.push(
        `CHECK: no stage value reads as won or as lost (found: ${stages.map((s) => s.value).join(', ')}): map them under opportunities.stage`,
      );
    }
    const map = Object.fromEntries(stages.filter((s) => s.proposed !== s.value).map((s) => [s.value, s.proposed]));
    const closed = (outcome: string[]) =>
      Object.fromEntries(stages.filter((s) => outcome.includes(s.proposed)).map((s) => [s.value, true]));
    const columns = entities['opportunities']!.columns;
    if (Object.keys(map).length > 0) columns['stage'] = { column: stageColumn, map };
    if (!opportunities.columns['is_closed'])
      columns['is_closed'] = { column: stageColumn, map: closed(['Closed Won', 'Closed Lost']), default: false };
    if (!opportunities.columns['is_won'])
      columns['is_won'] = { column: stageColumn, map: closed(['Closed Won']), default: false };
  }
  if (opportunities && !opportunities.columns['currency'])
    entities['opportunities']!.columns['currency'] = { value: 'USD' };
  if (opportunities && !opportunities.columns['currency'])
    checks.push('CHECK: no currency column: amounts are taken as USD (opportunities.currency)');
  if (!matched.has('opportunity_history'))
    checks.push(
      'no history file: stage changes are derived night by night from the snapshots of successive loads (docs/validation-and-snapshots.md)',
    );

  // Rows the load would reject for an empty required value: propose a reject share that lets the rest in.
  let maxRejectShare: number | undefined;
  if (opportunities) {
    const specs = Object.entries(SCHEMA.opportunities.columns) as [string, ColumnSpec][];
    const required = specs
      .filter(([column, spec]) => spec.required && opportunities.columns[column])
      .map(([column]) => opportunities.columns[column]!);
    const empty = required.map((c) => `nullif(trim(${quoteIdent(c)}::VARCHAR), '') IS NULL`).join(' OR ');
    const [{ share }] = (await queryRows<{ share: number }>(
      conn,
      `SELECT coalesce(avg((${empty || 'false'})::INTEGER), 0)::DOUBLE AS share FROM ${opportunities.file.reader}`,
    )) as [{ share: number }];
    if (share > 0.04) {
      maxRejectShare = Math.min(0.5, Math.ceil((share + 0.02) * 20) / 20);
      checks.push(
        `CHECK: ${(100 * share).toFixed(1)}% of the deals have an empty required value (${required.join(', ')}) and will be rejected: max_reject_share ${maxRejectShare} lets the rest load`,
      );
    }
  }

  const customColumns = {
    opportunities: leftOver(matched.get('opportunities')),
    accounts: leftOver(matched.get('accounts')),
  };
  const asOf = opportunities ? await newestRecord(conn, opportunities, stages) : null;
  const stated = resolveAsOf(source, undefined);
  const statedAsOf = stated.from === 'export' ? stated.asOf : null;
  if (!statedAsOf && asOf)
    checks.push(
      `CHECK: the export states no cut date: load it with --as-of ${asOf} (its newest record) or write ${asOf} to ${AS_OF_FILE}`,
    );

  const mapping = {
    name: basename(source.replace(/\/+$/, '')) || 'export',
    ...(maxRejectShare ? { max_reject_share: maxRejectShare } : {}),
    entities,
  };
  const yaml = [
    `# Draft mapping written by \`wuwei init --source ${source}\`; see docs/layouts.md for the format.`,
    ...checks.map((c) => `# ${c}`),
    ...(stages.length > 0
      ? ['# Stage values found (rows): ' + stages.map((s) => `${s.value} (${s.rows}) -> ${s.proposed}`).join(', ')]
      : []),
    `# Kept as custom attributes (model inputs): opportunities: ${customColumns.opportunities.join(', ') || 'none'}; accounts: ${customColumns.accounts.join(', ') || 'none'}`,
    `# Newest record: ${asOf ?? 'unknown'}${statedAsOf ? `; the export states its cut in ${AS_OF_FILE}: ${statedAsOf}` : ''}`,
    stringify(mapping, { lineWidth: 0 }),
  ].join('\n');
  return { mapping, checks, stages, customColumns, asOf, statedAsOf, yaml };
}

/** Writes the draft to `out` and returns it. */
export async function writeSuggestedMapping(
  conn: DuckDBConnection,
  source: string,
  out: string,
): Promise<MappingSuggestion> {
  const suggestion = await suggestMapping(conn, source);
  writeFileSync(out, suggestion.yaml);
  return suggestion;
}

/** The file that best holds an entity: its canonical name, else one whose key column is unique and whose name or columns fit. */
async function pickFile(conn: DuckDBConnection, entity: Entity, files: FileInfo[]): Promise<FileInfo | undefined> {
  const free = files.filter((f) => !f.assigned);
  const canonical = free.find((f) => f.name.toLowerCase().replace(/\.[a-z]+$/, '') === SCHEMA[entity].file);
  if (canonical) return canonical;
  const hinted = (f: FileInfo) => FILE_HINTS[entity].some((hint) => f.name.toLowerCase().includes(hint));
  let best: { file: FileInfo; score: number } | undefined;
  for (const file of free) {
    if (!SCHEMA[entity].required && !hinted(file)) continue;
    const columns = matchColumns(entity, file);
    const specs = Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][];
    // an optional entity is proposed only when every column it needs is there
    if (!SCHEMA[entity].required && specs.some(([column, spec]) => spec.required && !columns[column])) continue;
    const key = SCHEMA[entity].key[0];
    if (key && !columns[key]) continue;
    if (key && !(await isUnique(conn, file, columns[key]!))) continue;
    const score = Object.keys(columns).length + (hinted(file) ? 3 : 0);
    if (!best || score > best.score) best = { file, score };
  }
  return best?.file;
}

async function isUnique(conn: DuckDBConnection, file: FileInfo, column: string): Promise<boolean> {
  const [row] = await queryRows<{ unique: boolean }>(
    conn,
    `SELECT count(DISTINCT ${quoteIdent(column)}) = count(${quoteIdent(column)}) AND count(${quoteIdent(column)}) > 0 AS unique FROM ${file.reader}`,
  );
  return row!.unique;
}

/** Contract column -> source column, by name or synonym, where the source type can hold the contract's. */
function matchColumns(entity: Entity, file: FileInfo): Record<string, string> {
  const byName = new Map(file.columns.map((c) => [normalise(c.name), c]));
  const result: Record<string, string> = {};
  for (const [column, spec] of Object.entries(SCHEMA[entity].columns)) {
    const names = [normalise(column), ...(SYNONYMS[entity]?.[column] ?? [])];
    const found = names.map((n) => byName.get(n)).find((c) => c && typeFits(spec.type, c.type));
    if (found) result[column] = found.name;
  }
  return result;
}

function typeFits(contract: ColumnType, source: string): boolean {
  const numeric = /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/.test(source);
  if (contract === 'DATE' || contract === 'TIMESTAMP') return /DATE|TIMESTAMP|VARCHAR/.test(source);
  if (contract === 'DOUBLE' || contract === 'INTEGER') return numeric || source === 'VARCHAR';
  if (contract === 'BOOLEAN') return /BOOL|VARCHAR|INT/.test(source);
  return true;
}

/** An open, won or lost stage for a stage value; a trailing `?` marks a guess. */
function proposeStage(value: string): string {
  const { stages, wonStages, lostStages } = DEFAULTS.features;
  const known = [...stages.map((s) => s.name), ...wonStages, ...lostStages];
  const exact = known.find((k) => normalise(k) === normalise(value));
  if (exact) return exact;
  const n = normalise(value);
  if (WON_WORDS.some((w) => n.includes(w))) return 'Closed Won';
  if (LOST_WORDS.some((w) => n.includes(w))) return 'Closed Lost';
  const open = OPEN_STAGE_WORDS.find(([, words]) => words.some((w) => n.includes(w)));
  return open ? open[0] : 'Qualification?';
}

function leftOver(entry: { file: FileInfo; columns: Record<string, string> } | undefined): string[] {
  if (!entry) return [];
  const used = new Set(Object.values(entry.columns));
  return entry.file.columns.map((c) => c.name).filter((name) => !used.has(name));
}

/** The newest date a deal was created or closed on (open deals' close dates are forecasts, not records). */
async function newestRecord(
  conn: DuckDBConnection,
  entry: { file: FileInfo; columns: Record<string, string> },
  stages: MappingSuggestion['stages'],
): Promise<string | null> {
  const created = entry.columns['created_date'];
  const close = entry.columns['close_date'];
  const stage = entry.columns['stage'];
  const closedValues = stages
    .filter((s) => s.proposed.startsWith('Closed'))
    .map((s) => `'${s.value.replaceAll("'", "''")}'`);
  const parts = [
    created ? `max(TRY_CAST(${quoteIdent(created)} AS DATE))` : null,
    close && stage && closedValues.length > 0
      ? `max(TRY_CAST(${quoteIdent(close)} AS DATE)) FILTER (WHERE ${quoteIdent(stage)}::VARCHAR IN (${closedValues.join(', ')}))`
      : null,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  const [row] = await queryRows<{ newest: string | null }>(
    conn,
    `SELECT strftime(greatest(${parts.map((p) => `coalesce(${p}, DATE '0001-01-01')`).join(', ')}), '%Y-%m-%d') AS newest FROM ${entry.file.reader}`,
  );
  return row?.newest && row.newest !== '0001-01-01' ? row.newest : null;
}
