/**
 * The raw export columns a generic learner is given beside (or instead of) Wuwei's features, for
 * the peer benchmark: the deal's and its account's columns that are known when the deal is created
 * (the contract's fixed attributes and every custom attribute), named `raw_<column>`. A custom
 * column that open deals leave empty far more often than closed ones is filled at the close (a loss
 * reason, a signed date): it is left out, as a careful analyst would, so the peer is not flattered
 * by a leak.
 */
import { queryRows, quoteIdent, type DuckDBConnection } from '../../pipeline/base/db.ts';

const CONTRACT_COLUMNS = {
  opportunities: ['type', 'lead_source', 'product_line'],
  accounts: ['industry', 'region', 'segment', 'employees', 'annual_revenue'],
} as const;

export interface RawColumns {
  /** `FROM ... AS o` joins to add after a table aliased `f` with an opportunity_id. */
  joins: string;
  /** Select list of the raw columns, each `AS raw_<name>`. */
  select: string[];
  /** Custom columns left out as filled at the close. */
  leaky: string[];
}

export async function rawColumns(conn: DuckDBConnection): Promise<RawColumns> {
  const select = [
    ...CONTRACT_COLUMNS.opportunities.map((c) => `o.${quoteIdent(c)} AS ${quoteIdent(`raw_${c}`)}`),
    ...CONTRACT_COLUMNS.accounts.map((c) => `a.${quoteIdent(c)} AS ${quoteIdent(`raw_account_${c}`)}`),
  ];
  const leaky: string[] = [];
  for (const [table, alias, prefix] of [
    ['opportunity_custom_attributes', 'oc', 'raw_custom_'],
    ['account_custom_attributes', 'ac', 'raw_account_custom_'],
  ] as const) {
    const columns = (await queryRows<{ column_name: string }>(conn, `DESCRIBE ${table}`))
      .map((c) => c.column_name)
      .filter((c) => c !== 'opportunity_id' && c !== 'account_id');
    for (const column of columns) {
      const [share] = await queryRows<{ open: number | null; closed: number | null }>(
        conn,
        `SELECT avg((${alias}.${quoteIdent(column)} IS NOT NULL)::INTEGER) FILTER (WHERE NOT o.is_closed) AS open,
                avg((${alias}.${quoteIdent(column)} IS NOT NULL)::INTEGER) FILTER (WHERE o.is_closed) AS closed
         FROM opportunities AS o LEFT JOIN opportunity_custom_attributes AS oc USING (opportunity_id) LEFT JOIN account_custom_attributes AS ac ON ac.account_id = o.account_id`,
      );
      if ((share!.open ?? 0) < 0.5 * (share!.closed ?? 0)) {
        leaky.push(column);
        continue;
      }
      select.push(
        `${alias}.${quoteIdent(column)} AS ${quoteIdent(`${prefix}${column.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`)}`,
      );
    }
  }
  const joins = `JOIN opportunities AS o ON o.opportunity_id = f.opportunity_id
    LEFT JOIN accounts AS a ON a.account_id = o.account_id
    LEFT JOIN opportunity_custom_attributes AS oc ON oc.opportunity_id = o.opportunity_id
    LEFT JOIN account_custom_attributes AS ac ON ac.account_id = o.account_id`;
  return { joins, select, leaky };
}
