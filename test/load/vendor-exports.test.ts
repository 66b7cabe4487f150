/**
 * Each vendor export shape, as the vendor writes it (test/load/vendors/write-vendor-exports.ts, from
 * the vendors' documentation: test/fixtures/vendors/<shape>/SOURCE.md), runs end to end with its
 * layout: load -> features -> train -> score, with no hand fixes. Asserted: nothing rejected, the
 * stages read from the export in the vendor's order, participants from owners and relations, and
 * the dead features (constant or empty on the training rows) exactly those the shape cannot give.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { FEATURES } from '../../pipeline/features/catalog.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { STANDARD_LIMITS } from '../../pipeline/load/mapping/standard-limits.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import { featuresStage, loadStage, scoreStage, trainStage } from '../../pipeline/commands/stages.ts';
import { tempDir } from '../helpers/temp.ts';
import { buildWorld, type World } from './vendors/crm-world.ts';
import {
  DYNAMICS_STAGES,
  HUBSPOT_STAGES,
  SALESFORCE_STAGES,
  writeDynamicsSynapse,
  writeDynamicsWebApi,
  writeHubspotApi,
  writeHubspotUiExport,
  writeSalesforceDataLoader,
  writeSalesforceReport,
} from './vendors/write-vendor-exports.ts';

const tmp = tempDir('wuwei-vendors-');
afterAll(() => tmp.cleanup());

interface Shape {
  name: string;
  layout: string;
  stages: { name: string; probability: number }[];
  write: (world: World, dir: string) => void;
  /** Open stages as the load must order them (the names the deals carry). */
  open: string[];
  history: 'export' | 'derived';
  /** Buying roles the shape names. */
  namesRoles: boolean;
  /** The activities the shape carries: all with every participant, only their primary contact (a report), or none (a UI export). */
  activities: 'all' | 'primary contact' | 'none';
  /** Features the shape's standard objects cannot feed (docs/layouts.md), constant or empty on the training rows. */
  dead: string[];
}

/** The features docs/layouts.md says the layout's standard objects cannot give, in catalog order. */
const deadByDesign = (layout: string, options: { withoutHistory?: boolean; shape?: string } = {}) => {
  const limits = STANDARD_LIMITS[layout]!;
  const dead = {
    ...limits.deadFeatures,
    ...(options.withoutHistory ? limits.deadWithoutHistory : {}),
    ...(options.shape ? limits.shapes?.[options.shape]?.alsoDead : {}),
  };
  return FEATURES.map((f) => f.name).filter((n) => n in dead);
};

const SHAPES: Shape[] = [
  {
    name: 'Salesforce Data Loader (capital headers, 18-character ids, OpportunityStage, OpportunityHistory)',
    layout: 'salesforce',
    stages: SALESFORCE_STAGES,
    write: writeSalesforceDataLoader,
    open: SALESFORCE_STAGES.map((s) => s.name),
    history: 'export',
    namesRoles: true,
    activities: 'all',
    dead: deadByDesign('salesforce'),
  },
  {
    name: 'HubSpot CRM API v3 JSON (pipelines, associations, property history, hs_date_entered_*)',
    layout: 'hubspot',
    stages: HUBSPOT_STAGES.map((s) => ({ name: s.id, probability: s.probability })),
    write: writeHubspotApi,
    open: HUBSPOT_STAGES.map((s) => s.label),
    history: 'export',
    namesRoles: true,
    activities: 'all',
    dead: deadByDesign('hubspot'),
  },
  {
    name: 'Dynamics 365 Dataverse Web API JSON (lookups, statecode, connections stored twice, audit)',
    layout: 'dynamics',
    stages: DYNAMICS_STAGES,
    write: writeDynamicsWebApi,
    open: DYNAMICS_STAGES.map((s) => s.name),
    history: 'export',
    namesRoles: true,
    activities: 'all',
    dead: deadByDesign('dynamics'),
  },
  {
    name: 'Dynamics 365 Synapse Link (headerless CSV partitions with model.json; no audit, so no history)',
    layout: 'dynamics',
    stages: DYNAMICS_STAGES,
    write: writeDynamicsSynapse,
    open: DYNAMICS_STAGES.map((s) => s.name),
    history: 'derived',
    namesRoles: true,
    activities: 'all',
    dead: deadByDesign('dynamics', { withoutHistory: true }),
  },
  {
    name: 'Salesforce report CSV (labels, 3/31/2026, 75%, $11,000.00, 15-character ids, report footers)',
    layout: 'salesforce',
    stages: SALESFORCE_STAGES,
    write: writeSalesforceReport,
    open: SALESFORCE_STAGES.map((s) => s.name),
    history: 'export',
    namesRoles: true,
    activities: 'primary contact',
    dead: deadByDesign('salesforce', { shape: 'report' }),
  },
  {
    name: 'HubSpot UI export (labels, stage labels, owners by name, YYYY-MM-DD HH:mm, id1;id2; no history)',
    layout: 'hubspot',
    stages: HUBSPOT_STAGES.map((s) => ({ name: s.label, probability: s.probability })),
    write: writeHubspotUiExport,
    open: HUBSPOT_STAGES.map((s) => s.label),
    history: 'derived',
    namesRoles: false,
    activities: 'none',
    dead: deadByDesign('hubspot', { shape: 'ui' }),
  },
];

/** Catalog features whose column in `features_train` holds at most one value (or none). */
async function deadFeatures(conn: DuckDBConnection): Promise<string[]> {
  const columns = FEATURES.map((f) => `count(DISTINCT "${f.name}")::INTEGER AS "${f.name}"`).join(', ');
  const [row] = await queryRows<Record<string, number>>(conn, `SELECT ${columns} FROM features_train`);
  return FEATURES.filter((f) => row![f.name]! <= 1).map((f) => f.name);
}

describe('vendor exports, as each vendor writes them, end to end with their layout', () => {
  for (const [i, shape] of SHAPES.entries()) {
    it(shape.name, async () => {
      const world = buildWorld({ deals: 220, seed: 7, stages: shape.stages });
      const source = join(tmp.dir, `export-${i}`);
      shape.write(world, source);
      const paths = runPaths(join(tmp.dir, `run-${i}`, 'wuwei.duckdb'));
      const load = await loadStage(paths, { source, layout: shape.layout, asOf: '2026-06-30', log: quietLogger });
      const open = world.deals.filter((d) => d.outcome === 'open').length;

      // Every deal, account, role, activity and participant loads: nothing rejected, nothing dropped.
      for (const [entity, counts] of Object.entries(load.entities))
        expect({ entity, rejected: counts.rejected }).toEqual({ entity, rejected: 0 });
      expect(load.entities['opportunities']!.loaded).toBe(world.deals.length);
      expect(load.entities['opportunity_contact_roles']!.loaded).toBe(
        world.deals.reduce((n, d) => n + d.roles.length, 0),
      );
      const activities = shape.activities === 'none' ? [] : world.activities;
      expect(load.entities['activities']!.loaded).toBe(activities.length);
      // One user (the owner) and each contact per activity; rows naming the activity's own deal are not participants.
      const contacts = (a: World['activities'][number]) => (shape.activities === 'all' ? a.contacts.length : 1);
      expect(load.entities['activity_participants']!.loaded).toBe(activities.reduce((n, a) => n + 1 + contacts(a), 0));
      expect(load.stages.open).toEqual(shape.open);
      // Without a stage list (report and UI exports) stages outside Wuwei's defaults are named, each kept as an open stage.
      if (shape.activities === 'all') expect(load.stages.unlisted).toEqual([]);
      else expect(load.stages.unlisted.filter((u) => !shape.open.includes(u.stage))).toEqual([]);
      expect(load.snapshot.history).toBe(shape.history);
      expect(load.warnings.map((w) => w.topic)).toEqual(shape.history === 'derived' ? ['history'] : []);

      const stored = await withDatabase(
        paths.db,
        async (conn) => {
          const [counts] = await queryRows<{
            won: number;
            lost: number;
            open: number;
            roles: number;
            users: number;
            amount: number;
          }>(
            conn,
            `
          SELECT count(*) FILTER (WHERE stage = 'Closed Won')::INTEGER AS won, count(*) FILTER (WHERE stage = 'Closed Lost')::INTEGER AS lost,
                 count(*) FILTER (WHERE NOT is_closed)::INTEGER AS open,
                 (SELECT count(DISTINCT role) FROM opportunity_contact_roles WHERE role <> 'other')::INTEGER AS roles,
                 (SELECT count(*) FROM activity_participants WHERE participant_type = 'user')::INTEGER AS users,
                 sum(amount)::DOUBLE AS amount
          FROM opportunities`,
          );
          return counts!;
        },
        { readOnly: true },
      );
      // Every amount in USD: Salesforce's EUR deals through CurrencyType (amount / ConversionRate), Dynamics' from the _base columns.
      const usd = world.deals.reduce((sum, d) => sum + d.amount, 0);
      expect(Math.abs(stored.amount - usd) / usd).toBeLessThan(0.0005);
      expect(stored).toEqual({
        amount: stored.amount,
        won: world.deals.filter((d) => d.outcome === 'won').length,
        lost: world.deals.filter((d) => d.outcome === 'lost').length,
        open,
        roles: shape.namesRoles ? new Set(world.deals.flatMap((d) => d.roles.map((r) => r.role))).size : 0,
        users: activities.length,
      });

      await featuresStage(paths, { log: quietLogger });
      const dead = await withDatabase(paths.db, deadFeatures, { readOnly: true });
      console.info(`${shape.layout}: ${dead.length} of ${FEATURES.length} features dead: ${dead.join(', ')}`);
      expect(dead).toEqual(shape.dead);

      const trained = await trainStage(paths, { seed: 1, log: quietLogger });
      expect(trained.status).toBe('trained');
      if (trained.status === 'trained')
        console.info(
          `${shape.layout}: holdout AUC ${trained.metrics.auc.toFixed(3)} (stage baseline ${trained.metrics.baselineAuc.toFixed(3)})`,
        );
      const scores = await scoreStage(paths, { log: quietLogger });
      expect(scores.scored).toBe(open);
    });
  }
});
