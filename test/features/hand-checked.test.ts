/**
 * Hand-checked fixtures: the tiny CRM of tiny-crm.ts, with each expected value worked out by hand
 * below (decay factors are exact: interactions lie 0, 45, 90 and 135 days before T with a 45-day
 * half-life, so they weigh 1, 1/2, 1/4 and 1/8). Every ECM family and PBM aspect is covered.
 */
import { describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { buildFeatures } from '../../pipeline/features/build.ts';
import { FAMILY_LABELS, FEATURES, type FeatureFamily } from '../../pipeline/features/catalog.ts';
import type { FeatureOptions } from '../../pipeline/features/config.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { createTinyCrm, TINY_AS_OF } from './tiny-crm.ts';

// Deal-contact strengths on O1 at T (weight x seniority x decay):
//   C1 (C-level, 2): a1 meeting 3x2x1 + a4 meeting 3x2x1 = 12
//   C2 (manager, 1): a2 inbound e-mail 1x1.5x1x1/2 = 0.75, a3 call 2x1x1/4 = 0.5 -> 1.25
//   C3 (staff, 0.8): a3 call 2x0.8x1/4 = 0.4
const C1 = 12;
const C2 = 1.25;
const C3 = 0.4;

const EXPECTED: Record<FeatureFamily, Record<string, number | null>> = {
  ecm_key_person: {
    ecm_key_person_max_strength: C1,
    ecm_key_person_total_strength: C1 + C2 + C3,
    ecm_key_person_decision_maker_strength: C1,
    ecm_key_person_champion_strength: C2,
    ecm_key_person_economic_buyer_strength: 0, // C3 becomes economic buyer only after T
    ecm_key_person_weakest_required_tie: C2, // decision maker 12, champion 1.25 (the blocker is no required role)
    ecm_key_person_supporter_share: (C1 + C2) / (C1 + C2 + C3),
  },
  ecm_decision_chain: {
    ecm_chain_roles_known: 2,
    ecm_chain_roles_engaged: 2,
    ecm_chain_engaged_contacts: 3,
    ecm_chain_single_threaded: 0,
    ecm_chain_max_seniority: 5,
    ecm_chain_departments: 3,
    ecm_chain_blockers: 1,
    ecm_chain_has_economic_buyer: 0,
    ecm_chain_decision_maker_engaged: 1,
  },
  ecm_customer: {
    ecm_account_past_won: 1, // O2
    ecm_account_past_lost: 1, // O3
    ecm_account_win_rate: (1 + 1) / (2 + 2),
    ecm_account_log_revenue: Math.log(1 + 60000),
    ecm_account_customer_days: 486, // 2024-03-01 -> 2025-06-30
    ecm_account_activities_90d: 3, // a1, a2, a4 (a3 is exactly 90 days back, a9 after T)
    ecm_account_contacts_engaged_365d: 3,
    ecm_account_executive_contacts_365d: 1, // C1
  },
  ecm_employee: {
    ecm_employee_owner_win_rate: (2 + 1) / (2 + 2), // U1 won O2 and O4
    ecm_employee_owner_closed_deals: 2,
    ecm_employee_owner_tie: 6, // U1-C1 via a1; U1-C2 is 0.75 + a6 1/8 = 0.875
    ecm_employee_best_colleague_tie: 6, // U3-C1 via a4
    ecm_employee_colleagues_with_ties: 2, // U2, U3
    ecm_employee_owner_account_wins: 1, // O2 (O4 is another account)
  },
  ecm_our_company: {
    ecm_company_executive_involved: 1,
    ecm_company_executive_touches_365d: 1, // a4
    ecm_company_teams_engaged: 3, // Sales, Presales, Executive
    ecm_company_account_touches: 1, // a6
    ecm_company_partner_sourced: 1,
  },
  ecm_competitor: {
    ecm_competitor_count: 2,
    ecm_competitor_incumbent: 1,
    ecm_competitor_win_rate_against: (1 + 0 + 1) / (3 + 0 + 2), // Rival: O3 lost, O4 won, O6 lost; Newco never met
    ecm_competitor_weakest_win_rate: Math.min((1 + 1) / (3 + 2), (0 + 1) / (0 + 2)),
    ecm_competitor_past_encounters: 3,
  },
  pbm_people: {
    pbm_people_our_team_size: 3,
    pbm_people_stakeholders: 3,
    pbm_people_engineer_involved: 1, // U2 on a3
    pbm_people_owner_tenure_days: 1826, // 2020-06-30 -> 2025-06-30, one leap day
    pbm_people_owner_open_deals: 1, // U1 created O1, O2, O4 by T and closed O2, O4
  },
  pbm_money: {
    pbm_money_log_amount: Math.log(120000),
    pbm_money_amount_vs_segment: Math.log(120000 / 60000), // enterprise won before June: O2
    pbm_money_amount_vs_account: Math.log(120000 / 60000),
    pbm_money_amount_revisions: 1,
    pbm_money_amount_change: Math.log(120000 / 100000),
    pbm_money_discount: (0.1 + 0.2) / 2,
  },
  pbm_things: {
    pbm_things_line_items: 2,
    pbm_things_distinct_products: 2,
    pbm_things_is_renewal: 0,
    pbm_things_is_upsell: 1,
    pbm_things_new_product_for_account: 0, // A1 bought Platform in O2
    pbm_things_product_win_rate: (2 + 1) / (2 + 2), // Platform: O2, O4 won
  },
  pbm_sentiment: {
    pbm_sentiment_supporter_share: 2 / 3,
    pbm_sentiment_opponent_share: 1 / 3,
    pbm_sentiment_inbound_share: 1 / 4,
    pbm_sentiment_momentum: 2 / (1 / 2 + 1), // a1, a4 in the last 30 days; a2 in the 60 before
    pbm_sentiment_days_since_customer_contact: 45,
  },
  pbm_timing: {
    pbm_timing_stage_index: 3,
    pbm_timing_deal_age_days: 90,
    pbm_timing_days_in_stage: 29, // back in Discovery since 06-01
    pbm_timing_stage_vs_norm: 29 / 20, // O4 spent 20 days in Discovery
    pbm_timing_age_vs_norm: 90 / 60, // O2's 60-day cycle is the enterprise norm
    pbm_timing_close_pushes: 1,
    pbm_timing_stage_regressions: 1,
    pbm_timing_days_to_expected_close: 15,
    pbm_timing_close_in_quarter: 1, // 07-15 is within 91 days
    pbm_timing_days_since_activity: 0,
  },
  pbm_similar_projects: {
    pbm_similar_deals: 1, // only O2 is enterprise Platform and closed
    pbm_similar_win_rate: (1 + 1) / (1 + 2),
    pbm_similar_median_cycle_days: 60,
    pbm_similar_log_median_amount: Math.log(60000),
    pbm_similar_amount_vs_similar: Math.log(120000 / 60000),
    pbm_similar_source_win_rate: (1 + 1) / (1 + 2), // partner: O4 won
  },
};

async function featuresOf(
  conn: DuckDBConnection,
  table: string,
  opportunityId: string,
): Promise<Record<string, unknown>> {
  const rows = await queryRows<Record<string, unknown>>(
    conn,
    `SELECT * FROM ${table} WHERE opportunity_id = '${opportunityId}'`,
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function withTinyCrm<T>(work: (conn: DuckDBConnection) => Promise<T>, config?: FeatureOptions): Promise<T> {
  return withDatabase(':memory:', async (conn) => {
    await createTinyCrm(conn);
    await buildFeatures(conn, { asOf: TINY_AS_OF, log: quietLogger, ...(config ? { config } : {}) });
    return work(conn);
  });
}

describe('hand-checked features of the tiny CRM', () => {
  it('every catalog feature has a hand-worked value', () => {
    const covered = Object.values(EXPECTED)
      .flatMap((family) => Object.keys(family))
      .sort();
    expect(covered).toEqual(FEATURES.map((f) => f.name).sort());
    for (const family of Object.keys(FAMILY_LABELS))
      expect(Object.keys(EXPECTED[family as FeatureFamily]).length).toBeGreaterThanOrEqual(3);
  });

  for (const [family, expected] of Object.entries(EXPECTED)) {
    it(`${FAMILY_LABELS[family as FeatureFamily]}: O1 as of ${TINY_AS_OF}`, async () => {
      const row = await withTinyCrm((conn) => featuresOf(conn, 'features_score', 'O1'));
      const actual = Object.fromEntries(Object.keys(expected).map((name) => [name, row[name]]));
      for (const [name, value] of Object.entries(expected)) {
        if (value === null) expect(actual[name], name).toBeNull();
        else expect(actual[name], name).toBeCloseTo(value, 9);
      }
    });
  }

  it('who knows whom: every (employee, contact) tie as of T, and the ties on the open deal', async () => {
    await withTinyCrm(async (conn) => {
      const ties = await queryRows<{ key: string; strength: number }>(
        conn,
        `SELECT account_id || ' ' || user_id || '-' || contact_id AS key, strength FROM rel_who_knows_whom ORDER BY key`,
      );
      expect(ties.map((t) => t.key)).toEqual(['A1 U1-C1', 'A1 U1-C2', 'A1 U2-C2', 'A1 U2-C3', 'A1 U3-C1']);
      const strength = Object.fromEntries(ties.map((t) => [t.key.slice(3), t.strength]));
      expect(strength['U1-C1']).toBeCloseTo(6, 9); // a1 meeting 3 x C-level 2
      expect(strength['U1-C2']).toBeCloseTo(0.75 + 0.125, 9); // a2 inbound e-mail at T-45, a6 e-mail at T-135
      expect(strength['U2-C2']).toBeCloseTo(0.5, 9); // a3 call at T-90
      expect(strength['U2-C3']).toBeCloseTo(0.4, 9);
      expect(strength['U3-C1']).toBeCloseTo(6, 9);

      const onDeal = await queryRows<{ key: string; is_owner: boolean }>(
        conn,
        `SELECT opportunity_id || ' ' || user_id || '-' || contact_id AS key, is_owner FROM rel_deal_contact_ties ORDER BY key`,
      );
      expect(onDeal.map((t) => `${t.key}${t.is_owner ? ' owner' : ''}`)).toEqual([
        'O1 U1-C1 owner',
        'O1 U1-C2 owner',
        'O1 U2-C2',
        'O1 U2-C3',
        'O1 U3-C1',
      ]);
    });
  });

  it('relationship weights and half-life come from the options', async () => {
    // meeting 10, every other type 1 (the record replaces the default), no inbound bonus, 90-day half-life
    const config: FeatureOptions = {
      activityWeights: { meeting: 10 },
      inboundWeight: 1,
      halfLifeDays: 90,
      seniorityWeights: { c_level: 3 },
    };
    await withTinyCrm(async (conn) => {
      const row = await featuresOf(conn, 'features_score', 'O1');
      // C1: two meetings at T: 10 x 3 each; C2 (seniority now unlisted: 1): e-mail 1 x 2^-0.5 + call 1 x 2^-1; C3: call 1 x 2^-1
      expect(row['ecm_key_person_max_strength']).toBeCloseTo(60, 9);
      expect(row['ecm_key_person_total_strength']).toBeCloseTo(60 + Math.SQRT1_2 + 0.5 + 0.5, 9);
      expect(row['ecm_chain_max_seniority']).toBe(5); // ranks are a separate setting, kept

      const [tie] = await queryRows<{ strength: number }>(
        conn,
        `SELECT strength FROM rel_who_knows_whom WHERE user_id = 'U1' AND contact_id = 'C2'`,
      );
      expect(tie!.strength).toBeCloseTo(Math.SQRT1_2 + 2 ** -1.5, 9); // e-mails at T-45 and T-135
    }, config);
  });

  it('the training set: closed deals observed during their life with the final outcome, the scoring set: deals open at T', async () => {
    await withTinyCrm(async (conn) => {
      const train = await queryRows<{
        id: string;
        as_of: string;
        won: number;
        final_amount: number;
        close_date: string;
        stage: string;
      }>(
        conn,
        `SELECT opportunity_id AS id, as_of::VARCHAR AS as_of, won, final_amount, close_date::VARCHAR AS close_date, stage FROM features_train WHERE opportunity_id = 'O2' ORDER BY as_of`,
      );
      // creation (a stage entry), creation + 7, creation + 30 (monthly), the Negotiation entry; all before the 2024-03-01 close
      expect(train.map((r) => `${r.as_of} ${r.stage}`)).toEqual([
        '2024-01-01 Prospecting',
        '2024-01-08 Prospecting',
        '2024-01-31 Prospecting',
        '2024-02-01 Negotiation',
      ]);
      for (const r of train) expect([r.won, r.final_amount, r.close_date]).toEqual([1, 60000, '2024-03-01']);

      const closedDeals = await queryRows<{ id: string }>(
        conn,
        `SELECT DISTINCT opportunity_id AS id FROM features_train ORDER BY id`,
      );
      expect(closedDeals.map((r) => r.id)).toEqual(['O2', 'O3', 'O4', 'O6']);
      const open = await queryRows<{ id: string; as_of: string; won: number | null }>(
        conn,
        `SELECT opportunity_id AS id, as_of::VARCHAR AS as_of, won FROM features_score ORDER BY id`,
      );
      expect(open).toEqual([
        { id: 'O1', as_of: TINY_AS_OF, won: null },
        { id: 'O5', as_of: TINY_AS_OF, won: null },
      ]);
    });
  });

  it('observation dates follow the options: creation + k days and a spacing, without stage entries', async () => {
    await withTinyCrm(
      async (conn) => {
        const rows = await queryRows<{ as_of: string }>(
          conn,
          `SELECT as_of::VARCHAR AS as_of FROM features_train WHERE opportunity_id = 'O2' ORDER BY as_of`,
        );
        expect(rows.map((r) => r.as_of)).toEqual(['2024-01-15', '2024-01-21', '2024-02-10']);
      },
      { firstLookDays: 14, spacingDays: 20, stageEntries: false },
    );
  });
});
