/**
 * int_account_history counts the account's activity in the 90 and 365 days before each observation
 * from one timeline per account (running sums, and contacts and teams as spells of activity). Checked
 * here against the definition itself: every observation joined to its account's activity in the
 * window, counted (distinct) directly, on a generated export whose contacts and teams fall silent for
 * more than a year and come back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { loadInto, smallExport, TEST_AS_OF } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

// The window counts by their definition, per observation (the models' temp tables, same connection).
const BY_DEFINITION = `
  with days as (
      select observed.opportunity_id, observed.as_of, activities.activity_id, activities.opportunity_id as deal_id,
          activities.activity_date
      from int_observed_deals as observed
      join stg_activities as activities
          on activities.account_id = observed.account_id
          and activities.activity_date <= observed.as_of
          and activities.activity_date > observed.as_of - 365
  ),
  activity as (
      select opportunity_id, as_of,
          count(*) filter (where activity_date > as_of - 90) as activities_90d,
          count(*) filter (where deal_id is null) as account_touches_365d,
          count(*) filter (where activity_id in (select activity_id from stg_activity_users where is_executive)) as executive_touches_365d
      from days group by all
  ),
  teams as (
      select opportunity_id, as_of, count(distinct users.team) as teams_365d
      from days join stg_activity_users as users using (activity_id) group by all
  ),
  contacts as (
      select days.opportunity_id, days.as_of,
          count(distinct touches.contact_id) as contacts_365d,
          count(distinct touches.contact_id) filter (where touches.seniority_rank >= 4) as executive_contacts_365d
      from days join int_contact_touches as touches using (activity_id) group by all
  )
  select observed.opportunity_id, observed.as_of,
      coalesce(activities_90d, 0)::bigint as activities_90d,
      coalesce(account_touches_365d, 0)::bigint as account_touches_365d,
      coalesce(executive_touches_365d, 0)::bigint as executive_touches_365d,
      coalesce(teams_365d, 0)::bigint as teams_365d,
      coalesce(contacts_365d, 0)::bigint as contacts_365d,
      coalesce(executive_contacts_365d, 0)::bigint as executive_contacts_365d
  from int_observed_deals as observed
  left join activity using (opportunity_id, as_of)
  left join teams using (opportunity_id, as_of)
  left join contacts using (opportunity_id, as_of)`;

const COLUMNS = `opportunity_id, as_of, activities_90d::bigint, account_touches_365d::bigint, executive_touches_365d::bigint,
  teams_365d::bigint, contacts_365d::bigint, executive_contacts_365d::bigint`;

describe('account activity windows (int_account_history)', () => {
  const tmp = tempDir();
  let source = '';
  beforeAll(async () => {
    source = await smallExport(tmp.dir, 1200, 5);
  });
  afterAll(() => tmp.cleanup());

  it('counts activities, touches, contacts and teams in the window as the definition does', async () => {
    await withDatabase(':memory:', async (conn) => {
      await loadInto(conn, source);
      await buildFeatures(conn, { asOf: TEST_AS_OF, log: quietLogger });

      // the export exercises the spells: members silent for more than 365 days who come back
      const [gaps] = await queryRows<{ contacts: number; teams: number }>(
        conn,
        `select count(*) filter (where kind = 'contact')::integer as contacts, count(*) filter (where kind = 'team')::integer as teams
         from (
             select kind, activity_date - lag(activity_date) over (partition by kind, account_id, member order by activity_date) as gap
             from (
                 select distinct 'contact' as kind, account_id, contact_id as member, activity_date from int_contact_touches
                 union all
                 select distinct 'team', activities.account_id, users.team, activities.activity_date
                 from stg_activities as activities join stg_activity_users as users using (activity_id)
             )
         )
         where gap > 365`,
      );
      expect(gaps!.contacts).toBeGreaterThan(0);
      expect(gaps!.teams).toBeGreaterThan(0);

      const [counts] = await queryRows<{ rows: number; model_only: number; definition_only: number; contacts: number }>(
        conn,
        `select
           (select count(*) from int_account_history)::integer as rows,
           (select count(*) from (select ${COLUMNS} from int_account_history except all select ${COLUMNS} from (${BY_DEFINITION})))::integer as model_only,
           (select count(*) from (select ${COLUMNS} from (${BY_DEFINITION}) except all select ${COLUMNS} from int_account_history))::integer as definition_only,
           (select sum(contacts_365d) from int_account_history)::integer as contacts`,
      );
      expect(counts!.rows).toBeGreaterThan(1000);
      expect(counts!.contacts).toBeGreaterThan(0);
      expect(counts!.model_only).toBe(0);
      expect(counts!.definition_only).toBe(0);
    });
  });
});
