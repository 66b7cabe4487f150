import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { withDatabase } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { loadStage } from '../../pipeline/commands/stages.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import type { Logger } from '../../pipeline/base/log.ts';
import { tempDir } from '../helpers/temp.ts';
import { rows } from './helpers.ts';

const MAVEN = fileURLToPath(new URL('../../data/samples/maven-crm/', import.meta.url));
const { dir, cleanup } = tempDir('wuwei-maven-');
afterAll(cleanup);

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (message) => warnings.push(message) };
}

describe('the Maven CRM sample shipped in data/samples', () => {
  it('loads with its mapping, rejects its known quirks row by row, and says which feature families it cannot support', async () => {
    const log = recordingLogger();
    const db = join(dir, 'maven.duckdb');
    // the load stage as the CLI runs it: the load, then what its empty entities mean for the features
    const summary = await loadStage(runPaths(db), { source: MAVEN, mapping: join(MAVEN, 'mapping.yaml'), log });
    await withDatabase(db, async (conn) => {
      expect(summary.asOf).toBe('2017-12-31');
      expect(summary.entities['accounts']!.loaded).toBe(85);
      expect(summary.entities['users']!.loaded).toBe(35);
      // 8,800 deals: each rejected row reports its first problem: 1,425 have no account, 163 more have no date (prospecting deals).
      expect(summary.entities['opportunities']).toMatchObject({ loaded: 7212, rejected: 1588 });
      expect(summary.rejectReasons['opportunities: missing required value']).toBe(1588);
      expect(
        await rows(
          conn,
          `SELECT column_name, count(*)::INTEGER AS n FROM load_rejects WHERE entity = 'opportunities' GROUP BY ALL ORDER BY 1`,
        ),
      ).toEqual([
        { column_name: 'account_id', n: 1425 },
        { column_name: 'created_date', n: 163 },
      ]);
      // History derived from the two dates: one row per engaged deal, one per closed deal.
      expect(
        await rows(conn, `SELECT stage, count(*)::INTEGER AS n FROM opportunity_history GROUP BY ALL ORDER BY 1`),
      ).toEqual([
        { stage: 'Closed Lost', n: expect.any(Number) },
        { stage: 'Closed Won', n: expect.any(Number) },
        { stage: 'Qualification', n: 7212 },
      ]);
      // The export's typos are mapped away, and millions become units.
      expect(
        await rows(conn, `SELECT count(*)::INTEGER AS n FROM opportunities WHERE product_line = 'GTXPro'`),
      ).toEqual([{ n: 0 }]);
      expect(
        await rows(conn, `SELECT industry, annual_revenue FROM accounts WHERE account_id = 'Acme Corporation'`),
      ).toEqual([{ industry: 'technology', annual_revenue: 1_100_040_000 }]);
      expect(summary.customAttributes.accounts).toEqual(['year_established', 'subsidiary_of']);
      expect(
        await rows(
          conn,
          `SELECT count(custom_account_year_established)::INTEGER AS n FROM opportunity_custom_features`,
        ),
      ).toEqual([{ n: 7212 }]);

      expect(summary.missingOptional).toEqual([
        'contacts',
        'opportunity_contact_roles',
        'activities',
        'activity_participants',
        'opportunity_competitors',
        'opportunity_line_items',
      ]);
      expect(Object.keys(summary.unsupportedFamilies)).toEqual(
        expect.arrayContaining(['ecm_key_person', 'ecm_decision_chain', 'ecm_competitor']),
      );
      expect(log.warnings).toContain(
        'ECM key-person relationship cannot be computed: the export has no activities, activity_participants, opportunity_contact_roles',
      );

      // The features stage goes on with what the sample has, and says the same.
      const features = await buildFeatures(conn, { asOf: summary.asOf, log });
      expect(Object.keys(features.unsupportedFamilies).sort()).toEqual(Object.keys(summary.unsupportedFamilies).sort());
      expect(features.trainingDeals).toBeGreaterThan(1000);
      expect(features.scoringRows).toBeGreaterThan(0);
    });
  });
});
