/**
 * A generated flat export renamed the way a plain CRM report names things (docs/real-export-example.md):
 * deals.csv, companies.csv and owners.csv with the CRM's column and stage names, no as_of.txt, no
 * activities, contacts or history. What a new user hands Wuwei; `wuwei init` has to find its way in.
 *
 *   npx tsx pipeline/generate/crm-report.ts GENERATED_DIR OUT_DIR
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { quoteLiteral, withDatabase } from '../base/db.ts';

/** The company's stage names for the contract's stages. */
export const CRM_STAGE_NAMES: Record<string, string> = {
  'Closed Won': 'Won',
  'Closed Lost': 'Lost',
  Prospecting: 'Lead In',
  Qualification: 'Qualified',
  Discovery: 'Needs Analysis',
  Proposal: 'Shortlisted',
  Negotiation: 'Contract Review',
};

export async function writeCrmReport(generated: string, out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  const read = (file: string) => `read_csv(${quoteLiteral(join(generated, file))})`;
  const to = (file: string) => quoteLiteral(join(out, file));
  const stage = Object.entries(CRM_STAGE_NAMES).reduce(
    (sql, [from, name]) => `replace(${sql}, ${quoteLiteral(from)}, ${quoteLiteral(name)})`,
    'stage',
  );
  await withDatabase(':memory:', async (conn) => {
    await conn.run(
      `COPY (SELECT opportunity_id AS "Deal ID", account_id AS "Company ID", owner_id AS "Deal Owner", name AS "Deal Name",
                    type AS "Deal Type", lead_source AS "Lead Source", product_line AS "Product", created_date AS "Create Date",
                    close_date AS "Close Date", ${stage} AS "Deal Stage", amount AS "Amount", tender_flag AS "Tender (RFP)",
                    budget_allocated AS "Budget Allocated", marketing_score AS "Marketing Score", loss_reason AS "Loss Reason"
             FROM ${read('opportunities.csv')}) TO ${to('deals.csv')}`,
    );
    await conn.run(
      `COPY (SELECT account_id AS "Company ID", name AS "Company Name", industry AS "Industry", region AS "Region", segment AS "Segment",
                    employees AS "Number of Employees", annual_revenue AS "Annual Revenue", client_revenue_band AS "Client Revenue Band",
                    revenue_from_client_2y AS "Revenue From Client 2Y"
             FROM ${read('accounts.csv')}) TO ${to('companies.csv')}`,
    );
    await conn.run(
      `COPY (SELECT user_id AS "Owner ID", name AS "Full Name", title AS "Title", team AS "Team", region AS "Region"
             FROM ${read('users.csv')}) TO ${to('owners.csv')}`,
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [generated, out] = process.argv.slice(2);
  if (!generated || !out) {
    process.stderr.write('usage: npx tsx pipeline/generate/crm-report.ts GENERATED_DIR OUT_DIR\n');
    process.exit(1);
  }
  await writeCrmReport(generated, out);
}
