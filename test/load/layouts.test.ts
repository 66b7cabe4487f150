import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { generateStage } from '../../pipeline/commands/stages.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { ENTITY_NAMES } from '../../pipeline/load/schema.ts';
import { LAYOUT_NAMES } from '../../pipeline/load/mapping/layouts.ts';
import { tempDir } from '../helpers/temp.ts';
import { load, rows, withMemoryDb } from './helpers.ts';

const { dir, cleanup } = tempDir('wuwei-layouts-');
const options = { opportunities: 150, seed: 11, asOf: '2026-06-30', log: quietLogger };

beforeAll(async () => {
  for (const layout of LAYOUT_NAMES) await generateStage({ ...options, out: join(dir, layout), layout });
});
afterAll(cleanup);

describe('export layouts', () => {
  it('has the four built-in layouts', () => {
    expect(LAYOUT_NAMES).toEqual(['canonical', 'dynamics', 'hubspot', 'salesforce']);
  });

  it('writes each layout with its own file and field names', () => {
    expect(readFileSync(join(dir, 'salesforce', 'Opportunity.csv'), 'utf8').split('\n')[0]).toContain('StageName');
    expect(readFileSync(join(dir, 'hubspot', 'deals.csv'), 'utf8').split('\n')[0]).toContain('dealstage');
    expect(readFileSync(join(dir, 'dynamics', 'opportunity.csv'), 'utf8').split('\n')[0]).toContain('estimatedvalue');
    expect(readFileSync(join(dir, 'hubspot', 'deals.csv'), 'utf8')).toContain('closedwon');
    expect(existsSync(join(dir, 'salesforce', 'ground_truth.csv'))).toBe(true);
  });

  for (const layout of ['salesforce', 'hubspot', 'dynamics']) {
    it(`loads the ${layout} layout into the same canonical tables as the canonical export`, async () => {
      await withMemoryDb(async (conn) => {
        await load(conn, { source: join(dir, 'canonical') });
        for (const entity of ENTITY_NAMES) await conn.run(`CREATE TABLE expected_${entity} AS SELECT * FROM ${entity}`);
        const summary = await load(conn, { source: join(dir, layout), layout });
        expect(summary.layout).toBe(layout);
        for (const entity of ENTITY_NAMES) {
          const [counts] = await rows<{ expected: number; actual: number; missing: number; extra: number }>(
            conn,
            `SELECT (SELECT count(*) FROM expected_${entity})::INTEGER AS expected, (SELECT count(*) FROM ${entity})::INTEGER AS actual,
                    (SELECT count(*) FROM (SELECT * FROM expected_${entity} EXCEPT ALL SELECT * FROM ${entity}))::INTEGER AS missing,
                    (SELECT count(*) FROM (SELECT * FROM ${entity} EXCEPT ALL SELECT * FROM expected_${entity}))::INTEGER AS extra`,
          );
          expect({ entity, ...counts }).toEqual({
            entity,
            expected: counts!.expected,
            actual: counts!.expected,
            missing: 0,
            extra: 0,
          });
          expect(counts!.expected).toBeGreaterThan(0);
        }
      });
    });
  }
});

describe("the company's own fields in each layout", () => {
  // As each CRM names a custom field: Salesforce API names, Dataverse logical names, HubSpot internal names.
  const fields: Record<string, Record<string, string>> = {
    salesforce: {
      tender_flag: 'Tender_Flag__c',
      budget_allocated: 'Budget_Allocated__c',
      marketing_score: 'Marketing_Score__c',
      loss_reason: 'Loss_Reason__c',
    },
    dynamics: {
      tender_flag: 'new_tenderflag',
      budget_allocated: 'new_budgetallocated',
      marketing_score: 'new_marketingscore',
      loss_reason: 'new_lossreason',
    },
    hubspot: {
      tender_flag: 'tender_flag',
      budget_allocated: 'budget_allocated',
      marketing_score: 'marketing_score',
      loss_reason: 'loss_reason',
    },
  };
  const custom = { ...options, opportunities: 600, customColumns: true };

  beforeAll(async () => {
    await generateStage({ ...custom, out: join(dir, 'custom-canonical') });
    for (const layout of Object.keys(fields))
      await generateStage({ ...custom, out: join(dir, `custom-${layout}`), layout });
  });

  for (const [layout, names] of Object.entries(fields)) {
    it(`carries them through a ${layout} export to the models, the leaky one left out`, async () => {
      await withMemoryDb(async (conn) => {
        await load(conn, { source: join(dir, 'custom-canonical') });
        await conn.run('CREATE TABLE expected AS SELECT * FROM opportunity_custom_text');
        await load(conn, { source: join(dir, `custom-${layout}`), layout });
        // Every value as the canonical export has it, under the CRM's own field names.
        const renamed = Object.entries(names).map(([canonical, field]) => `"${field}" AS ${canonical}`);
        const [diff] = await rows<{ n: number; missing: number }>(
          conn,
          `SELECT (SELECT count(*) FROM expected)::INTEGER AS n,
                  (SELECT count(*) FROM (SELECT opportunity_id, ${Object.keys(names).join(', ')} FROM expected
                   EXCEPT ALL SELECT opportunity_id, ${renamed.join(', ')} FROM opportunity_custom_text))::INTEGER AS missing`,
        );
        expect(diff).toEqual({ n: 600, missing: 0 });
        const summary = await buildFeatures(conn, { asOf: options.asOf, log: quietLogger });
        const columns = await rows<{ source_column: string; used: boolean }>(
          conn,
          `SELECT source_column, used FROM export_columns WHERE entity = 'opportunities' ORDER BY 1`,
        );
        expect(Object.fromEntries(columns.map((c) => [c.source_column, c.used]))).toEqual({
          [names.tender_flag!]: true,
          [names.budget_allocated!]: true,
          [names.marketing_score!]: true,
          [names.loss_reason!]: false,
        });
        expect(Object.keys(summary.exportColumns.leftOut)).toHaveLength(1);
      });
    });
  }
});
