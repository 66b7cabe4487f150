/**
 * Money in one reporting currency. Opportunities carry a currency code; an optional rates file
 * (`currency_rates.csv`: currency, rate_to_reporting, optional valid_from) converts their amounts,
 * their history's amounts and their line items' prices. A rate applies from its valid_from date (the
 * latest one on or before the record's date; a rate without a date applies always). A deal in a
 * currency without a rate is rejected (row level), never loaded with an unconverted amount.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';
import type { Logger } from '../base/log.ts';
import { findSourceFile, listSourceFiles, describeColumns } from './mapping/source-files.ts';
import { rawTable, RECORD_REJECTS, stagedView } from './mapping/stage.ts';

export interface CurrencySummary {
  reportingCurrency: string;
  ratesFile: string | null;
  /** Opportunities per original currency. */
  currencies: Record<string, number>;
  converted: number;
}

export const DEFAULT_RATES_FILE = 'currency_rates';

/**
 * Converts the staged amounts in place and moves deals without a rate to staging's record-numbered rejects.
 * Reporting currency: the option, else the most common currency of the deals, else USD.
 */
export async function convertCurrency(
  conn: DuckDBConnection,
  options: {
    source: string | string[];
    reportingCurrency?: string;
    ratesFile?: string;
    ratesFileRequired?: boolean;
    log: Logger;
  },
): Promise<CurrencySummary> {
  const opportunities = quoteIdent(rawTable('opportunities'));
  await conn.run(`UPDATE ${opportunities} SET currency = upper(trim(currency)) WHERE currency IS NOT NULL`);
  // One pass counts each currency and the deals without one.
  const byCurrency = await queryRows<{ currency: string | null; n: number }>(
    conn,
    `SELECT currency, count(*)::INTEGER AS n FROM ${opportunities} GROUP BY ALL ORDER BY n DESC, currency`,
  );
  const counts = byCurrency.filter((c): c is { currency: string; n: number } => c.currency !== null);
  const reporting = (options.reportingCurrency ?? counts[0]?.currency ?? 'USD').toUpperCase();
  if (!/^[A-Z]{3}$/.test(reporting))
    throw new WuweiError('bad_option', `reporting currency must be a three-letter code, got '${reporting}'`);
  // A deal without a currency is taken in the reporting currency: right for a one-currency export,
  // a guess in one of several currencies, so said.
  const blank = byCurrency.find((c) => c.currency === null)?.n ?? 0;
  if (blank > 0 && counts.some((c) => c.currency !== reporting))
    options.log.warn(
      `${blank} deal${blank === 1 ? ' has' : 's have'} no currency in an export of several (${counts.map((c) => c.currency).join(', ')}): ${blank === 1 ? 'its amount is' : 'their amounts are'} taken as ${reporting}, the reporting currency`,
    );

  await conn.run(
    `CREATE OR REPLACE TEMP TABLE currency_rates (currency VARCHAR, rate_to_reporting DOUBLE, valid_from DATE)`,
  );
  await conn.run(`INSERT INTO currency_rates VALUES (${quoteLiteral(reporting)}, 1, NULL)`);
  const file = findSourceFile(listSourceFiles(options.source), options.ratesFile ?? DEFAULT_RATES_FILE);
  // A built-in layout's rates object (Salesforce CurrencyType) exists in multi-currency orgs only.
  if (!file && options.ratesFile && options.ratesFileRequired !== false)
    throw new WuweiError('missing_input', `no rates file '${options.ratesFile}' in the source`);
  if (file) {
    const names = new Set((await describeColumns(conn, file)).map((c) => c.name));
    if (isSalesforceRates(names)) {
      await conn.run(`INSERT INTO currency_rates ${salesforceRatesSql(file.textReader, names, reporting)}`);
    }
    for (const column of isSalesforceRates(names) ? [] : ['currency', 'rate_to_reporting']) {
      if (!names.has(column))
        throw new WuweiError(
          'bad_input',
          `${file.path}, line 1: missing required column '${column}' (found: ${[...names].join(', ')})`,
        );
    }
    const validFrom = names.has('valid_from') ? `TRY_CAST(nullif(trim(valid_from), '') AS DATE)` : 'NULL::DATE';
    if (!isSalesforceRates(names))
      await conn.run(
        `INSERT INTO currency_rates SELECT upper(trim(currency)), TRY_CAST(replace(trim(rate_to_reporting), ',', '.') AS DOUBLE), ${validFrom} FROM ${file.textReader} WHERE upper(trim(currency)) <> ${quoteLiteral(reporting)}`,
      );
    const [bad] = await queryRows<{ n: number }>(
      conn,
      `SELECT count(*)::INTEGER AS n FROM currency_rates WHERE rate_to_reporting IS NULL OR rate_to_reporting <= 0 OR currency !~ '^[A-Z]{3}$'`,
    );
    if (bad!.n > 0)
      throw new WuweiError('bad_input', `${file.path}: ${bad!.n} rates are not a currency code with a positive number`);
  }

  // Every deal already in the reporting currency: every rate is 1, nothing to convert or reject.
  if (counts.every((c) => c.currency === reporting)) {
    return {
      reportingCurrency: reporting,
      ratesFile: file?.path ?? null,
      currencies: Object.fromEntries(counts.map((c) => [c.currency, c.n])),
      converted: 0,
    };
  }

  // The rate for each deal as of its creation date; history and line items use their own dates.
  const rateAt = (table: string, currency: string, date: string) => `
    SELECT t.rowid AS __row, r.rate_to_reporting AS rate
    FROM ${table} t
    LEFT JOIN LATERAL (
      SELECT rate_to_reporting FROM currency_rates r
      WHERE r.currency = coalesce(${currency}, ${quoteLiteral(reporting)})
        AND (r.valid_from IS NULL OR r.valid_from <= coalesce(TRY_CAST(${date} AS DATE), DATE '9999-12-31'))
      ORDER BY r.valid_from DESC NULLS LAST LIMIT 1) r ON true`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE deal_rates AS ${rateAt(opportunities, 't.currency', 't.created_date')}`);
  await conn.run(`
    INSERT INTO ${RECORD_REJECTS}
    SELECT 'opportunities', o.__file, o.__line, 'currency', o.currency, ${quoteLiteral(`no exchange rate to ${reporting}`)}
    FROM ${quoteIdent(stagedView('opportunities'))} o JOIN deal_rates USING (__row) WHERE deal_rates.rate IS NULL`);
  await conn.run(`DELETE FROM ${opportunities} WHERE rowid IN (SELECT __row FROM deal_rates WHERE rate IS NULL)`);
  await conn.run(
    `UPDATE ${opportunities} o SET amount = ${converted('o.amount', 'd.rate')} FROM deal_rates d WHERE d.__row = o.rowid AND d.rate <> 1`,
  );

  const dealCurrency = (alias: string) =>
    `(SELECT any_value(currency) FROM ${opportunities} p WHERE trim(p.opportunity_id) = trim(${alias}.opportunity_id))`;
  for (const [entity, column, date] of [
    ['opportunity_history', 'amount', 'changed_at'],
    ['opportunity_line_items', 'unit_price', 'created_date'],
  ] as const) {
    const table = quoteIdent(rawTable(entity));
    await conn.run(`CREATE OR REPLACE TEMP TABLE row_rates AS ${rateAt(table, dealCurrency('t'), `t.${date}`)}`);
    await conn.run(
      `UPDATE ${table} t SET ${column} = ${converted(`t.${column}`, 'r.rate')} FROM row_rates r WHERE r.__row = t.rowid AND r.rate <> 1`,
    );
  }
  const [{ n: convertedDeals }] = (await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM deal_rates WHERE rate <> 1`,
  )) as [{ n: number }];
  const summary: CurrencySummary = {
    reportingCurrency: reporting,
    ratesFile: file?.path ?? null,
    currencies: Object.fromEntries(counts.map((c) => [c.currency, c.n])),
    converted: convertedDeals,
  };
  if (counts.length > 1 || convertedDeals > 0)
    options.log.info(
      `amounts in ${reporting}: ${convertedDeals} deals converted from ${counts
        .filter((c) => c.currency !== reporting)
        .map((c) => c.currency)
        .join(', ')}`,
    );
  return summary;
}

/** Salesforce's CurrencyType / DatedConversionRate export: IsoCode and ConversionRate (StartDate when dated). */
function isSalesforceRates(names: Set<string>): boolean {
  const lower = new Set([...names].map((n) => n.toLowerCase()));
  return lower.has('isocode') && lower.has('conversionrate') && !lower.has('rate_to_reporting');
}

/**
 * Salesforce's ConversionRate is units of that currency per one unit of the corporate currency, so an
 * amount in corporate currency is amount / ConversionRate; in another reporting currency R, times R's rate.
 */
function salesforceRatesSql(reader: string, names: Set<string>, reporting: string): string {
  const dated = [...names].some((n) => n.toLowerCase() === 'startdate');
  const rate = `TRY_CAST(replace(trim(CAST(ConversionRate AS VARCHAR)), ',', '.') AS DOUBLE)`;
  const start = dated ? `TRY_CAST(left(trim(CAST(StartDate AS VARCHAR)), 10) AS DATE)` : 'NULL::DATE';
  return `
    WITH rates AS (SELECT upper(trim(CAST(IsoCode AS VARCHAR))) AS currency, ${rate} AS rate, ${start} AS valid_from FROM ${reader})
    SELECT r.currency, coalesce(rep.rate, 1) / r.rate, r.valid_from
    FROM rates r LEFT JOIN rates rep ON rep.currency = ${quoteLiteral(reporting)} AND rep.valid_from IS NOT DISTINCT FROM r.valid_from
    WHERE r.currency <> ${quoteLiteral(reporting)}`;
}

/** Amount text times the rate; text that is not a number stays as it was so validation rejects it. */
function converted(amount: string, rate: string): string {
  return `coalesce(CAST(round(TRY_CAST(${amount} AS DOUBLE) * ${rate}, 6) AS VARCHAR), ${amount})`;
}
