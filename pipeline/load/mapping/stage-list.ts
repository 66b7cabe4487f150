/**
 * The CRM's stages, from the export itself: `crm_stages` lists every stage the load knows, in order,
 * with its default probability and whether it is open, won or lost. Sources, first found wins:
 * 1. the config file's stage list (features.stages / wonStages / lostStages), when it gives one;
 * 2. the mapping's stage file (Salesforce OpportunityStage, HubSpot pipelines, ...);
 * 3. inferred from the deals: closed and won from the vendor's flags (IsClosed/IsWon, statecode,
 *    hs_is_closed_won) or the stage's name in the default won/lost lists; open stages ordered by
 *    their default probability, then by the order deals entered them in the history, then by name.
 * A stage the deals use that the list lacks is an open stage of its own, reported, never a reason
 * to reject a deal. An export whose stages are all Wuwei's defaults keeps the default list.
 * Closed stages are stored under the first won / lost name (e.g. 'Closed Won'), the name the
 * features and forecast read; `crm_stage` keeps the name the CRM wrote. A stage list that gives a
 * label for an internal id (HubSpot's pipelines) names the open stage by its label wherever a stage
 * is stored or shown; deals that carry the label (a UI export) or the id are the same stage.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../../base/db.ts';
import type { Logger } from '../../base/log.ts';
import { DEFAULT_DATE_FORMATS, normalisedSql, ruleSql } from './column-sql.ts';
import type { ColumnRule, Mapping } from './definition.ts';
import { findSourceFile, inspectFile, listSourceFiles } from './source-files.ts';

export const STAGE_TABLE = 'crm_stages';

export interface StageSettings {
  stages: readonly { name: string; probability: number }[];
  wonStages: readonly string[];
  lostStages: readonly string[];
}

export interface StageSummary {
  /** Where the list came from: the config file, the export's stage file (its path), or inferred from the deals. */
  from: 'config' | 'defaults' | 'inferred' | string;
  open: string[];
  won: string[];
  lost: string[];
  /** Stages the deals use that the list (config, stage file, else Wuwei's defaults) lacks, with their deal count. */
  unlisted: { stage: string; deals: number }[];
}

const LISTED = '__listed_stages';

/**
 * Builds `crm_stages` from the staged deals (`raw_opportunities`, `raw_opportunity_history`) and
 * renames their closed stages to the canonical won/lost names; returns what it found.
 */
export async function resolveStages(
  conn: DuckDBConnection,
  options: {
    source: string | string[];
    mapping: Mapping;
    defaults: StageSettings;
    configured?: StageSettings;
    historyTable?: string;
  },
): Promise<StageSummary> {
  const settings = options.configured ?? options.defaults;
  const won = settings.wonStages[0] ?? 'Closed Won';
  const lost = settings.lostStages[0] ?? 'Closed Lost';
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${LISTED}
    (crm_stage VARCHAR, label VARCHAR, sort_order DOUBLE, probability DOUBLE, is_closed BOOLEAN, is_won BOOLEAN)`);
  let from: StageSummary['from'] = 'inferred';
  if (options.configured) {
    await insertSettings(conn, options.configured);
    from = 'config';
  } else if (options.mapping.stages) {
    const read = await readStageFile(conn, options.source, options.mapping);
    if (read) from = read;
  }
  await labelsToIds(
    conn,
    ['raw_opportunities', options.historyTable].filter((t): t is string => t !== undefined),
  );
  const history = options.historyTable
    ? `SELECT opportunity_id, stage, probability, changed_at FROM ${quoteIdent(options.historyTable)}`
    : `SELECT NULL::VARCHAR AS opportunity_id, NULL::VARCHAR AS stage, NULL::VARCHAR AS probability,
         NULL::VARCHAR AS changed_at WHERE false`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE __seen_stages AS ${seenStagesSql(history)}`);
  const defaults = stageNames(options.defaults);
  if (from === 'inferred') {
    const seen = await queryRows<{ stage: string }>(conn, `SELECT crm_stage AS stage FROM __seen_stages`);
    if (seen.every((s) => defaults.has(s.stage))) {
      await insertSettings(conn, options.defaults);
      from = 'defaults';
    }
  }
  await conn.run(catalogSql(settings, options.defaults, { won, lost, from }));
  for (const table of ['raw_opportunities', options.historyTable].filter((t): t is string => t !== undefined)) {
    await conn.run(`UPDATE ${quoteIdent(table)} AS t SET stage = c.stage
      FROM ${STAGE_TABLE} c WHERE t.stage = c.crm_stage AND c.stage <> c.crm_stage`);
  }
  // Exports without the closed/won flags (report and UI exports) get them from the stage.
  await conn.run(`UPDATE raw_opportunities AS t
    SET is_closed = coalesce(t.is_closed, c.is_closed::VARCHAR), is_won = coalesce(t.is_won, c.is_won::VARCHAR)
    FROM ${STAGE_TABLE} c WHERE t.stage = c.stage AND (t.is_closed IS NULL OR t.is_won IS NULL)`);
  await conn.run(`DROP TABLE ${LISTED}`);
  await conn.run(`DROP TABLE __seen_stages`);
  return summarise(conn, from, defaults, new Set([won, lost]));
}

const stageNames = (settings: StageSettings) =>
  new Set([...settings.stages.map((s) => s.name), ...settings.wonStages, ...settings.lostStages]);

/**
 * `crm_stages` from the listed stages and the stages the deals use: a stage is won or closed as
 * the list says, else by its name in the won/lost lists, else by most of its deals' flags (a closed
 * stage at probability 1 is won when the export has no won flag); open stages in list order, then by
 * default probability, then by the order deals entered them.
 */
function catalogSql(
  settings: StageSettings,
  defaults: StageSettings,
  names: { won: string; lost: string; from: string },
): string {
  const list = (values: readonly string[]) => (values.length > 0 ? values.map(quoteLiteral).join(', ') : 'NULL');
  const byName = defaults.stages.map((s) => `WHEN ${quoteLiteral(s.name)} THEN ${Number(s.probability)}`).join(' ');
  const closedNames = list([...settings.wonStages, ...settings.lostStages]);
  const { from } = names;
  const listedOrigin = quoteLiteral(from === 'inferred' ? 'inferred' : from);
  const seenOrigin = from === 'inferred' || from === 'defaults' ? `'inferred'` : `'unlisted'`;
  return `
    CREATE OR REPLACE TABLE ${STAGE_TABLE} AS
    WITH joined AS (
        SELECT coalesce(l.crm_stage, s.crm_stage) AS crm_stage, l.crm_stage IS NOT NULL AS listed, l.sort_order,
               CASE WHEN count(*) OVER (PARTITION BY l.label) = 1 THEN l.label END AS label,
               l.probability AS listed_probability, l.is_closed AS listed_closed, l.is_won AS listed_won,
               s.deals, s.position, s.probability AS seen_probability, s.closed_share, s.won_share
        FROM ${LISTED} l FULL JOIN __seen_stages s ON s.crm_stage = l.crm_stage),
    merged AS (
        SELECT crm_stage, label, sort_order, listed, coalesce(deals, 0) AS deals, position,
               coalesce(listed_probability, seen_probability, CASE crm_stage ${byName || 'WHEN NULL THEN NULL'} END) AS probability,
               -- Without flags (report and UI exports) a stage is open unless its name or the list says otherwise.
               coalesce(listed_won, crm_stage IN (${list(settings.wonStages)}) OR coalesce(won_share > 0.5, false)
                 OR coalesce(won_share IS NULL AND closed_share > 0.5 AND seen_probability >= 1, false)) AS is_won,
               coalesce(listed_closed, crm_stage IN (${closedNames}) OR coalesce(closed_share > 0.5, false)) AS is_closed
        FROM joined),
    classified AS (SELECT * REPLACE (is_closed OR is_won AS is_closed) FROM merged),
    ordered AS (
        SELECT *, CASE WHEN NOT is_closed THEN row_number() OVER (PARTITION BY is_closed
                   ORDER BY sort_order NULLS LAST, probability NULLS LAST, position NULLS LAST, crm_stage) END AS open_index
        FROM classified)
    SELECT CASE WHEN is_won THEN ${quoteLiteral(names.won)} WHEN is_closed THEN ${quoteLiteral(names.lost)} ELSE coalesce(label, crm_stage) END AS stage,
           crm_stage,
           coalesce(open_index, (SELECT count(*) FROM ordered WHERE NOT is_closed) + 1)::INTEGER AS stage_index,
           CASE WHEN is_won THEN 1.0 WHEN is_closed THEN 0.0 ELSE probability END AS probability,
           is_closed, is_won,
           CASE WHEN listed THEN ${listedOrigin} ELSE ${seenOrigin} END AS origin,
           deals::INTEGER AS deals
    FROM ordered
    ORDER BY stage_index, crm_stage`;
}

async function summarise(
  conn: DuckDBConnection,
  from: StageSummary['from'],
  defaults: Set<string>,
  outcomes: Set<string>,
): Promise<StageSummary> {
  const rows = await queryRows<{
    stage: string;
    crm_stage: string;
    is_closed: boolean;
    is_won: boolean;
    origin: string;
    deals: number;
  }>(
    conn,
    `SELECT stage, crm_stage, is_closed, is_won, origin, deals FROM ${STAGE_TABLE} ORDER BY stage_index, crm_stage`,
  );
  // Inferred stages are compared with Wuwei's defaults: a typo in a canonical export shows here.
  // A list of open stages (Dynamics' process) need not name the outcomes: 'Closed Won' from statecode is not news.
  const unlisted = (r: (typeof rows)[number]) =>
    !outcomes.has(r.crm_stage) && (r.origin === 'unlisted' || (from === 'inferred' && !defaults.has(r.crm_stage)));
  return {
    from,
    open: rows.filter((r) => !r.is_closed).map((r) => r.stage),
    won: rows.filter((r) => r.is_won).map((r) => r.crm_stage),
    lost: rows.filter((r) => r.is_closed && !r.is_won).map((r) => r.crm_stage),
    unlisted: rows.filter(unlisted).map((r) => ({ stage: r.crm_stage, deals: r.deals })),
  };
}

/** Logs where the stages came from, and warns of stages the list lacks (after the load, with its other lines). */
export function logStages(summary: StageSummary, log: Logger): void {
  const { from } = summary;
  if (from === 'defaults') return; // the usual canonical export: nothing to say
  const source =
    from === 'config'
      ? 'the config file'
      : from === 'inferred'
        ? "the deals' closed/won flags, probabilities and history"
        : from;
  const none = (list: string[]) => shortList(list, ', ') || 'none';
  log.info(
    `stages from ${source}: open ${shortList(summary.open, ' > ')}; won ${none(summary.won)}; lost ${none(summary.lost)}`,
  );
  if (summary.unlisted.length === 0) return;
  const seen = shortList(
    summary.unlisted.map((u) => `'${u.stage}' (${u.deals} deal${u.deals === 1 ? '' : 's'})`),
    ', ',
  );
  const unlisted = new Set(summary.unlisted.map((u) => u.stage));
  const listed = [...summary.open, ...summary.won, ...summary.lost].filter((s) => !unlisted.has(s));
  const hint =
    from === 'inferred'
      ? 'give the stage file or features.stages to order them'
      : `the list has ${shortList(listed, ', ')}`;
  const expected = from === 'inferred' ? "Wuwei's defaults" : 'the stage list';
  log.warn(
    `stages outside ${expected}, each kept as a stage of its own (open unless flagged closed): ${seen}; ${hint}`,
  );
}

/** Stages shown in a log line: an export with a stage per deal would write a line of thousands (table crm_stages has them all). */
const SHOWN_STAGES = 20;

function shortList(items: string[], separator: string): string {
  if (items.length <= SHOWN_STAGES) return items.join(separator);
  return `${items.slice(0, SHOWN_STAGES).join(separator)}${separator}… and ${items.length - SHOWN_STAGES} more (table crm_stages)`;
}

async function insertSettings(conn: DuckDBConnection, settings: StageSettings): Promise<void> {
  const rows = [
    ...settings.stages.map(
      (s, i) => `(${quoteLiteral(s.name)}, NULL, ${i + 1}, ${Number(s.probability)}, false, false)`,
    ),
    ...settings.wonStages.map((name) => `(${quoteLiteral(name)}, NULL, NULL, 1.0, true, true)`),
    ...settings.lostStages.map((name) => `(${quoteLiteral(name)}, NULL, NULL, 0.0, true, false)`),
  ];
  if (rows.length > 0) await conn.run(`INSERT INTO ${LISTED} VALUES ${rows.join(', ')}`);
}

/** Reads the mapping's stage file into the listed stages; returns its path, or undefined when the export has none. */
async function readStageFile(
  conn: DuckDBConnection,
  source: string | string[],
  mapping: Mapping,
): Promise<string | undefined> {
  const definition = mapping.stages!;
  const file = findSourceFile(
    listSourceFiles(source),
    definition.file,
    mapping.encoding,
    definition.unnest ? { unnest: definition.unnest } : {},
  );
  if (!file) return undefined;
  const { columns, dateFormats } = await inspectFile(conn, file);
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  const present = (column: string) => names.has(column.toLowerCase());
  const options = { dateFormats: [...dateFormats, ...DEFAULT_DATE_FORMATS], decimalComma: false };
  const column = (rule: ColumnRule | undefined, type: 'VARCHAR' | 'DOUBLE' | 'BOOLEAN') => {
    if (rule === undefined) return 'NULL::VARCHAR';
    const scale = typeof rule === 'object' && !Array.isArray(rule) ? rule.scale : undefined;
    return normalisedSql(ruleSql(rule, present), type, { ...options, ...(scale !== undefined ? { scale } : {}) });
  };
  const c = definition.columns;
  const filters = Object.entries(definition.where ?? {}).map(([name, filter]) =>
    Array.isArray(filter)
      ? `CAST(${quoteIdent(name)} AS VARCHAR) IN (${filter.map((v) => quoteLiteral(String(v))).join(', ')})`
      : `${quoteIdent(name)} IS NOT NULL`,
  );
  await conn.run(`
    INSERT INTO ${LISTED}
    SELECT stage, any_value(label), min(TRY_CAST(sort_order AS DOUBLE)), any_value(TRY_CAST(probability AS DOUBLE)), bool_or(TRY_CAST(is_closed AS BOOLEAN)), bool_or(TRY_CAST(is_won AS BOOLEAN))
    FROM (SELECT ${column(c.stage, 'VARCHAR')} AS stage, ${column(c.label, 'VARCHAR')} AS label, ${column(c.order, 'DOUBLE')} AS sort_order, ${column(c.probability, 'DOUBLE')} AS probability,
                 ${column(c.is_closed, 'BOOLEAN')} AS is_closed, ${column(c.is_won, 'BOOLEAN')} AS is_won
          FROM ${file.textReader} ${filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : ''})
    WHERE stage IS NOT NULL
    GROUP BY stage`);
  return file.path;
}

/** Deals (and history rows) that name a listed stage by its label, as UI exports do, are given its id. */
async function labelsToIds(conn: DuckDBConnection, tables: string[]): Promise<void> {
  for (const table of tables) {
    await conn.run(`UPDATE ${quoteIdent(table)} AS t SET stage = l.crm_stage
      FROM (SELECT label, any_value(crm_stage) AS crm_stage FROM ${LISTED} WHERE label IS NOT NULL GROUP BY label HAVING count(*) = 1) l
      WHERE t.stage = l.label AND t.stage NOT IN (SELECT crm_stage FROM ${LISTED})`);
  }
}

/**
 * Each stage the deals and their history use: deals now in it, its median default probability,
 * the share of its deals flagged closed and won, and its mean position in the order deals entered stages.
 */
function seenStagesSql(history: string): string {
  return `
    WITH deals AS (
        SELECT stage AS crm_stage, count(*) AS deals, median(TRY_CAST(probability AS DOUBLE)) AS probability,
               avg(CASE TRY_CAST(is_closed AS BOOLEAN) WHEN true THEN 1.0 WHEN false THEN 0.0 END) AS closed_share,
               avg(CASE TRY_CAST(is_won AS BOOLEAN) WHEN true THEN 1.0 WHEN false THEN 0.0 END) AS won_share
        FROM raw_opportunities WHERE stage IS NOT NULL GROUP BY ALL),
    entries AS (
        SELECT stage AS crm_stage, row_number() OVER (PARTITION BY opportunity_id ORDER BY first_at) AS position, probability
        FROM (SELECT opportunity_id, stage, min(changed_at) AS first_at, median(TRY_CAST(probability AS DOUBLE)) AS probability
              FROM (${history}) WHERE stage IS NOT NULL GROUP BY ALL)),
    moves AS (SELECT crm_stage, avg(position) AS position, median(probability) AS probability FROM entries GROUP BY ALL)
    SELECT crm_stage, coalesce(deals.deals, 0) AS deals, coalesce(deals.probability, moves.probability) AS probability,
           deals.closed_share, deals.won_share, moves.position
    FROM deals FULL JOIN moves USING (crm_stage)`;
}
