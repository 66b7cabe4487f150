/**
 * Export columns as model inputs: the columns of the opportunities and accounts exports that are not
 * in the contract (kept by the load as custom attributes, pipeline/load/custom-attributes.ts) join
 * `features_train` and `features_score` as `custom_<name>` / `custom_account_<name>`:
 *   - numbers and yes/no as numbers (yes = 1);
 *   - text as categories (the model buckets rare levels, models/win/preprocess.ts);
 *   - dates as their age in days at the observation date (negative: a date still ahead).
 * They hold their value at export time, not as of each observation: a column filled once a deal has
 * closed (a loss reason, a signed date) would tell the model the outcome. The leakage guard leaves such
 * columns out, and says why, in `export_columns`, the run record and the feature report:
 *   - filled on closed deals but hardly on open ones;
 *   - values that tell closed from open deals far better than won from lost;
 *   - values that alone tell won from lost almost perfectly.
 * A mapping may overrule the guard per column (`known_at: {column: creation | close}`).
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { auc } from '../base/metrics.ts';
import { readColumns } from '../base/columns.ts';
import { tableExists } from '../base/db.ts';

export type ExportColumnEncoding = 'number' | 'yes/no' | 'category' | 'age in days';

export interface ExportColumn {
  feature: string;
  entity: 'opportunities' | 'accounts';
  /** The column's name in the export. */
  source: string;
  type: string;
  encoding: ExportColumnEncoding;
  /** What the mapping declares, if anything. */
  knownAt: 'creation' | 'close' | null;
  used: boolean;
  /** Why it is left out ('' when used). */
  reason: string;
}

export interface ExportColumnSummary {
  /** Export columns given to the models, by feature name. */
  used: string[];
  /** Export columns left out, feature name -> why. */
  leftOut: Record<string, string>;
}

/** Leakage thresholds (shares of deals, and AUC distances from 0.5). */
export const LEAKAGE = {
  filledClosed: 0.9,
  filledOpen: 0.1,
  /** Filled on this much more of the closed deals than of the open ones. */
  fillGap: 0.5,
  /** |AUC - 0.5| of the values alone against won/lost: 0.47 is an AUC above 0.97. */
  outcomeSeparation: 0.47,
  /** |AUC - 0.5| against closed/open, and how many times the won/lost one it must be. */
  closedOpenSeparation: 0.4,
  closedOpenRatio: 3,
  /** Fewest open, won and lost deals for a rule that compares them. */
  minDeals: 20,
  /** Text levels with fewer deals are pooled before their rates are compared. */
  minLevelDeals: 20,
} as const;

export const EXPORT_COLUMNS_TABLE = 'export_columns';
/** Export columns the log names one by one; the rest are counted. */
const NAMED_IN_LOG = 30;
type Candidate = Omit<ExportColumn, 'used' | 'reason'>;
const WIDE = { opportunities: 'oca', accounts: 'aca' } as const;

/**
 * Decides which export columns the models use (or, on a scoring-only build, reuses the last full
 * build's decision) and adds them to the feature tables.
 */
export async function addExportColumns(
  conn: DuckDBConnection,
  options: { training: boolean; log: Logger },
): Promise<ExportColumnSummary> {
  const reuse = !options.training && (await tableExists(conn, EXPORT_COLUMNS_TABLE));
  const present = await candidates(conn);
  // a scoring-only build keeps the last full build's decisions, for the columns this export still has
  // with the type they had then (a yes/no column that now holds 'maybe' is text: cast as a number, it
  // would stop the night; left out, the models read it as missing)
  const same = (c: ExportColumn) => (p: Candidate) => p.feature === c.feature && p.source === c.source;
  const columns = reuse
    ? (await readDecisions(conn)).filter((c) => {
        const now = present.find(same(c));
        if (now && now.type !== c.type && c.used)
          options.log.warn(
            `export column '${c.source}' (${c.entity}) is ${now.type} tonight, ${c.type} when the models were trained: left out until they are retrained`,
          );
        return now?.type === c.type;
      })
    : await decide(conn, present);
  if (!reuse) await writeDecisions(conn, columns);
  const used = columns.filter((column) => column.used);
  for (const table of options.training ? ['features_train', 'features_score'] : ['features_score']) {
    if (used.length === 0) continue;
    const select = used.map((c) => `${featureExpression(c, 'features.as_of')} AS ${quoteIdent(c.feature)}`).join(', ');
    await conn.run(`CREATE OR REPLACE TABLE ${table} AS
      SELECT features.*, ${select}
      FROM ${table} AS features
      ${wideJoins('features')}
      ORDER BY features.opportunity_id, features.as_of`);
  }
  const left = columns.filter((column) => !column.used);
  for (const c of left)
    options.log.warn(`export column '${c.source}' (${c.entity}) left out of the models: ${c.reason}`);
  if (used.length > 0) {
    // A wide export's thousands of names would make one line of hundreds of kilobytes; the table has them all.
    const named = used.slice(0, NAMED_IN_LOG).map((c) => `${c.source} (${c.encoding})`);
    const more = used.length > NAMED_IN_LOG ? `, and ${used.length - NAMED_IN_LOG} more (table export_columns)` : '';
    options.log.info(`export columns used by the models: ${named.join(', ')}${more}`);
  }
  const leftOut = Object.fromEntries(left.map((column) => [column.feature, column.reason]));
  return { used: used.map((column) => column.feature), leftOut };
}

/** The custom attributes the load kept, with what the mapping declares about them. */
async function candidates(conn: DuckDBConnection): Promise<Candidate[]> {
  if (!(await tableExists(conn, 'custom_attribute_columns'))) return [];
  const declared = (await tableExists(conn, 'custom_attribute_known_at'))
    ? `(SELECT known_at FROM custom_attribute_known_at k
        WHERE k.name = c.name AND (k.entity IS NULL OR k.entity = c.entity) LIMIT 1)`
    : 'NULL::VARCHAR';
  type Row = Pick<ExportColumn, 'entity' | 'type'> & {
    name: string;
    feature_name: string;
    known_at: ExportColumn['knownAt'];
  };
  const rows = await queryRows<Row>(
    conn,
    `SELECT entity, name, feature_name, type, ${declared} AS known_at FROM custom_attribute_columns c ORDER BY entity DESC, rowid`,
  );
  return rows.map((row) => ({
    feature: row.feature_name,
    entity: row.entity,
    source: row.name,
    type: row.type,
    encoding: encodingOf(row.type),
    knownAt: row.known_at,
  }));
}

function encodingOf(type: string): ExportColumnEncoding {
  if (type === 'BOOLEAN') return 'yes/no';
  if (type === 'DATE' || type.startsWith('TIMESTAMP')) return 'age in days';
  if (type === 'VARCHAR') return 'category';
  return 'number';
}

function raw(column: Pick<ExportColumn, 'entity' | 'source'>): string {
  return `${WIDE[column.entity]}.${quoteIdent(column.source)}`;
}

/** The column's value for an observation dated `asOf`. */
function featureExpression(column: ExportColumn, asOf: string): string {
  if (column.encoding === 'category') return `nullif(trim(CAST(${raw(column)} AS VARCHAR)), '')`;
  if (column.encoding === 'age in days') return `datediff('day', CAST(${raw(column)} AS DATE), ${asOf})::DOUBLE`;
  return `CAST(${raw(column)} AS DOUBLE)`;
}

/** The value the leakage guard compares: dates as days after the deal's creation (the same for old and new deals). */
function guardExpression(column: Candidate): string {
  if (column.encoding === 'category') return `nullif(trim(CAST(${raw(column)} AS VARCHAR)), '')`;
  if (column.encoding === 'age in days')
    return `datediff('day', deals.created_date, CAST(${raw(column)} AS DATE))::DOUBLE`;
  return `CAST(${raw(column)} AS DOUBLE)`;
}

function wideJoins(alias: string): string {
  return `LEFT JOIN opportunities AS opp ON opp.opportunity_id = ${alias}.opportunity_id
      LEFT JOIN opportunity_custom_attributes AS oca ON oca.opportunity_id = ${alias}.opportunity_id
      LEFT JOIN account_custom_attributes AS aca ON aca.account_id = opp.account_id`;
}

/** Applies the declarations, then the leakage rules on the deals known at the build's date. */
async function decide(conn: DuckDBConnection, columns: Candidate[]): Promise<ExportColumn[]> {
  if (columns.length === 0) return [];
  const schema: Record<string, 'float64' | 'text'> = { closed: 'float64', won: 'float64' };
  for (const [j, column] of columns.entries()) schema[`v${j}`] = column.encoding === 'category' ? 'text' : 'float64';
  const { columns: data } = await readColumns(
    conn,
    `SELECT (closes.closed_on IS NOT NULL AND closes.closed_on <= getvariable('as_of'))::DOUBLE AS closed,
            coalesce(closes.won, 0)::DOUBLE AS won,
            ${columns.map((column, j) => `${guardExpression(column)} AS v${j}`).join(', ')}
     FROM opportunities AS deals
     LEFT JOIN int_deal_closes AS closes USING (opportunity_id)
     ${wideJoins('deals')}
     WHERE deals.created_date <= getvariable('as_of')`,
    schema,
  );
  const closed = data.closed as Float64Array;
  const won = data.won as Float64Array;
  return columns.map((column, j) => {
    if (column.knownAt === 'creation') return { ...column, used: true, reason: '' };
    if (column.knownAt === 'close') {
      return { ...column, used: false, reason: 'the mapping declares it known at close (known_at: close)' };
    }
    const reason = leakageReason(data[`v${j}`] as Float64Array | (string | null)[], closed, won);
    return { ...column, used: reason === '', reason };
  });
}

/** Why a column looks filled or changed once deals close, or '' when it does not. */
export function leakageReason(
  values: Float64Array | (string | null)[],
  closed: ArrayLike<number>,
  won: ArrayLike<number>,
): string {
  const n = values.length;
  const isKnown = (i: number) => (Array.isArray(values) ? values[i] !== null : Number.isFinite(values[i] as number));
  const closedRows: number[] = [];
  let openDeals = 0;
  let filledClosed = 0;
  let filledOpen = 0;
  for (let i = 0; i < n; i++) {
    if (closed[i] === 1) {
      closedRows.push(i);
      if (isKnown(i)) filledClosed++;
    } else {
      openDeals++;
      if (isKnown(i)) filledOpen++;
    }
  }
  const closedShare = closedRows.length > 0 ? filledClosed / closedRows.length : 0;
  const openShare = openDeals > 0 ? filledOpen / openDeals : 0;
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  if (openDeals >= LEAKAGE.minDeals && closedRows.length >= LEAKAGE.minDeals) {
    const onlyClosed = closedShare > LEAKAGE.filledClosed && openShare < LEAKAGE.filledOpen;
    if (onlyClosed || closedShare - openShare >= LEAKAGE.fillGap) {
      return `filled on ${pct(closedShare)} of closed deals but ${pct(openShare)} of open ones: it looks filled when a deal closes`;
    }
  }
  const outcomes = closedRows.map((i) => won[i]!);
  const wonDeals = outcomes.filter((y) => y === 1).length;
  const bothOutcomes = wonDeals >= LEAKAGE.minDeals && closedRows.length - wonDeals >= LEAKAGE.minDeals;
  const outcomeSeparation = bothOutcomes ? separation(values, closedRows, outcomes) : Number.NaN;
  if (outcomeSeparation > LEAKAGE.outcomeSeparation) {
    const auc = (0.5 + outcomeSeparation).toFixed(3);
    return `its values alone tell won from lost almost perfectly (AUC ${auc}): it looks written at the close`;
  }
  if (openDeals >= LEAKAGE.minDeals && closedRows.length >= LEAKAGE.minDeals) {
    const all = Array.from({ length: n }, (_, i) => i);
    const closedOpen = separation(values, all, Array.from(closed));
    const wonLost = Number.isFinite(outcomeSeparation) ? outcomeSeparation : 0;
    if (closedOpen > LEAKAGE.closedOpenSeparation && closedOpen > LEAKAGE.closedOpenRatio * wonLost) {
      const [byClose, byOutcome] = [(0.5 + closedOpen).toFixed(2), (0.5 + wonLost).toFixed(2)];
      return `its values tell closed from open deals (AUC ${byClose}) far better than won from lost (${byOutcome}): it looks changed when a deal closes`;
    }
  }
  return '';
}

/**
 * How well the values alone order `labels` (|AUC - 0.5|), a missing value counting as a value of its
 * own: numbers with the missing ones first or last (the better of the two); text by each level's
 * share of positives, rare levels pooled.
 */
function separation(values: Float64Array | (string | null)[], rows: number[], labels: number[]): number {
  if (Array.isArray(values)) {
    const levelOf = (i: number) => values[i] ?? '\u0000missing';
    const counts = new Map<string, { n: number; positive: number }>();
    rows.forEach((i, k) => {
      const entry = counts.get(levelOf(i)) ?? { n: 0, positive: 0 };
      entry.n++;
      entry.positive += labels[k]!;
      counts.set(levelOf(i), entry);
    });
    const pooled = { n: 0, positive: 0 };
    for (const entry of counts.values()) {
      if (entry.n >= LEAKAGE.minLevelDeals) continue;
      pooled.n += entry.n;
      pooled.positive += entry.positive;
    }
    const rate = (level: string) => {
      const entry = counts.get(level)!;
      const source = entry.n < LEAKAGE.minLevelDeals ? pooled : entry;
      return source.positive / source.n;
    };
    return Math.abs(
      auc(
        rows.map((i) => rate(levelOf(i))),
        labels,
      ) - 0.5,
    );
  }
  const low = rows.map((i) => (Number.isFinite(values[i]!) ? values[i]! : Number.NEGATIVE_INFINITY));
  const high = rows.map((i) => (Number.isFinite(values[i]!) ? values[i]! : Number.POSITIVE_INFINITY));
  const best = Math.max(Math.abs(auc(low, labels) - 0.5), Math.abs(auc(high, labels) - 0.5));
  return Number.isFinite(best) ? best : 0;
}

async function writeDecisions(conn: DuckDBConnection, columns: ExportColumn[]): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE ${EXPORT_COLUMNS_TABLE} (position INTEGER, feature VARCHAR, entity VARCHAR,
    source_column VARCHAR, type VARCHAR, encoding VARCHAR, known_at VARCHAR, used BOOLEAN, reason VARCHAR)`);
  if (columns.length === 0) return;
  const text = (value: string | null) => (value === null ? 'NULL' : quoteLiteral(value));
  const rows = columns.map((c, i) =>
    [i + 1, ...[c.feature, c.entity, c.source, c.type, c.encoding, c.knownAt].map(text), c.used, text(c.reason)].join(
      ', ',
    ),
  );
  await conn.run(`INSERT INTO ${EXPORT_COLUMNS_TABLE} VALUES (${rows.join('), (')})`);
}

async function readDecisions(conn: DuckDBConnection): Promise<ExportColumn[]> {
  type Row = Omit<ExportColumn, 'source' | 'knownAt'> & { source_column: string; known_at: ExportColumn['knownAt'] };
  const rows = await queryRows<Row>(
    conn,
    `SELECT feature, entity, source_column, type, encoding, known_at, used, reason FROM ${EXPORT_COLUMNS_TABLE} ORDER BY position`,
  );
  return rows.map(({ source_column, known_at, ...row }) => ({ ...row, source: source_column, knownAt: known_at }));
}
