/**
 * The committed vendor fixtures (test/fixtures/vendors/<shape>/, each with the SOURCE.md it follows)
 * load with their layout as they are: every deal, nothing rejected, the vendor's own stages in order.
 * The end-to-end run of each shape at training size is test/load/vendor-exports.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DYNAMICS_STAGES, HUBSPOT_STAGES, SALESFORCE_STAGES, VENDOR_SHAPES } from './vendors/write-vendor-exports.ts';
import { load, rows, withMemoryDb } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'vendors');
const OPEN_STAGES: Record<string, string[]> = {
  salesforce: SALESFORCE_STAGES.map((s) => s.name),
  hubspot: HUBSPOT_STAGES.map((s) => s.label), // named by label, the ids kept in crm_stages.crm_stage
  dynamics: DYNAMICS_STAGES.map((s) => s.name),
};

describe('committed vendor fixtures', () => {
  for (const shape of VENDOR_SHAPES) {
    it(`${shape.folder} loads with --layout ${shape.layout}, nothing rejected`, async () => {
      await withMemoryDb(async (conn) => {
        const summary = await load(conn, {
          source: join(FIXTURES, shape.folder),
          layout: shape.layout,
          asOf: '2026-06-30',
        });
        expect(Object.values(summary.entities).reduce((n, e) => n + e.rejected, 0)).toBe(0);
        expect(summary.entities['opportunities']!.loaded).toBe(40);
        // A UI export has no stage list: its stages are those its deals are in, in the vendor's order.
        const expected = OPEN_STAGES[shape.layout]!.filter(
          (s) => shape.folder !== 'hubspot-ui-export' || summary.stages.open.includes(s),
        );
        expect(summary.stages.open).toEqual(expected);
        expect(summary.stages.open.length).toBeGreaterThanOrEqual(3);
        // Every participant is one of our users or a contact, never the deal the activity is about.
        const [kinds] = await rows<{ users: number; contacts: number; other: number }>(
          conn,
          `
          SELECT count(*) FILTER (WHERE participant_type = 'user')::INTEGER AS users, count(*) FILTER (WHERE participant_type = 'contact')::INTEGER AS contacts,
                 count(*) FILTER (WHERE participant_type NOT IN ('user', 'contact'))::INTEGER AS other
          FROM activity_participants`,
        );
        expect(kinds!.users).toBe(summary.entities['activities']!.loaded);
        // Report and UI exports carry no activities (docs/layouts.md lists what that leaves dead).
        if (summary.entities['activities']!.loaded > 0) expect(kinds!.contacts).toBeGreaterThan(0);
        expect(kinds!.other).toBe(0);
        if (shape.folder === 'salesforce-report') {
          // The footer below each report's rows is skipped, with its lines and the reason; nothing else is.
          const opportunities = summary.skipped?.find((s) => s.file.endsWith('Opportunity.csv'));
          expect(opportunities).toMatchObject({ firstLine: 42, lastLine: 49, reason: 'report footer' });
          expect(summary.skipped).toHaveLength(9);
        }
        if (shape.folder === 'hubspot-crm-api') {
          // Stages by label everywhere they are stored; the pipeline's ids (a custom stage's numeric one too) stay the key.
          expect(
            await rows(conn, `SELECT stage, crm_stage FROM crm_stages WHERE NOT is_closed ORDER BY stage_index`),
          ).toEqual(HUBSPOT_STAGES.map((s) => ({ stage: s.label, crm_stage: s.id })));
          const [unknown] = await rows<{ n: number }>(
            conn,
            `SELECT count(*)::INTEGER AS n FROM opportunities WHERE stage NOT IN (SELECT stage FROM crm_stages)`,
          );
          expect(unknown!.n).toBe(0);
        }
      });
    });
  }
});
