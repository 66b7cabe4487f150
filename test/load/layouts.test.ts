import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { generateStage } from '../../pipeline/commands/stages.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
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
