/**
 * Candidate moves per open deal, read from its ECM and PBM state as of tonight (the feature build's
 * tables): engage an uncovered role of the buying group, through an introduction when a colleague
 * already knows the right contact; multi-thread a single-threaded deal; bring in our executive
 * sponsor or a solutions engineer when none has taken part yet; re-engage a key person whose tie has
 * gone quiet. Each candidate names what it would add to the CRM records (./overlay.ts applies it).
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { expectedValueSql } from '../score/expected-value.ts';

export type MoveKind =
  | 'engage_role'
  | 'introduction'
  | 'multi_thread'
  | 'executive_sponsor'
  | 'solutions_engineer'
  | 'reengage';
/** Who the allocation (./allocation.ts) must find for a move; the deal's owner makes the others. */
export type Resource = 'executive' | 'solutions_engineer';

export interface CandidateMove {
  moveId: string;
  opportunityId: string;
  accountId: string;
  ownerId: string;
  region: string | null;
  kind: MoveKind;
  /** The buying-group role the move engages (role moves and re-engaging a key person). */
  role: string | null;
  /** The customer contact the move reaches. */
  contactId: string | null;
  /** Introductions: the colleague who knows the contact, how strong and how recent the tie. */
  viaUserId: string | null;
  tieStrength: number | null;
  lastInteraction: string | null;
  resource: Resource | null;
  /** The generator's name for the move (ground_truth_moves.csv): the role, or the kind. */
  truthKey: string;
}

/** The roles the moves try to cover, with the seniorities a contact in that role usually has (best first). */
export const ROLE_SENIORITIES: Record<string, string[]> = {
  decision_maker: ['c_level', 'vp'],
  economic_buyer: ['c_level', 'vp', 'director'],
  champion: ['director', 'manager'],
  technical_evaluator: ['manager', 'staff'],
};
/** The role a second thread on a single-threaded deal takes. */
const THREAD_ROLE = 'influencer';

export interface CandidateOptions {
  executiveRole: string;
  engineerRole: string;
  /** A key person's tie is quiet when nobody of ours has interacted with them for this many days. */
  quietDays: number;
  /** Only the open deals of largest expected value tonight (win probability × expected amount, from `scores`). */
  maxDeals?: number;
}

/** Every candidate move for the open deals in `features_score` (or the `maxDeals` most valuable), in a stable order. */
export async function candidateMoves(conn: DuckDBConnection, options: CandidateOptions): Promise<CandidateMove[]> {
  const roles = Object.entries(ROLE_SENIORITIES)
    .map(
      ([role, seniorities], i) =>
        `(${quoteLiteral(role)}, ${i + 1}, [${seniorities.map(quoteLiteral).join(', ')}]::VARCHAR[])`,
    )
    .join(', ');
  const sql = `
    with
    deals as (
        select opportunity_id, account_id, owner_id, region, as_of from features_score
        ${options.maxDeals === undefined ? '' : `where opportunity_id in (${mostValuableDeals(options.maxDeals)})`}
    ),
    on_deal as (
        select distinct roles.opportunity_id, roles.contact_id, roles.role
        from opportunity_contact_roles as roles join deals using (opportunity_id)
        where roles.created_date <= deals.as_of
    ),
    wanted(role, priority, seniorities) as (values ${roles}),
    -- each contact's best tie with any of our people as of tonight (who knows whom)
    best_tie as (
        select contact_id, arg_max(user_id, strength) as user_id, max(strength) as strength, max(last_interaction) as last_interaction
        from rel_who_knows_whom group by contact_id
    ),
    free_contacts as (
        select deals.opportunity_id, contacts.contact_id, contacts.seniority, best_tie.user_id, coalesce(best_tie.strength, 0) as strength,
               best_tie.last_interaction
        from deals
        join contacts on contacts.account_id = deals.account_id and coalesce(contacts.created_date <= deals.as_of, true)
        left join best_tie using (contact_id)
        anti join on_deal on on_deal.opportunity_id = deals.opportunity_id and on_deal.contact_id = contacts.contact_id
    ),
    uncovered as (
        select deals.opportunity_id, wanted.role, wanted.priority, wanted.seniorities
        from deals cross join wanted
        anti join on_deal on on_deal.opportunity_id = deals.opportunity_id and on_deal.role = wanted.role
    ),
    role_moves as (
        select uncovered.opportunity_id, uncovered.role, uncovered.priority, free_contacts.contact_id, free_contacts.user_id,
               free_contacts.strength, free_contacts.last_interaction
        from uncovered join free_contacts using (opportunity_id)
        qualify row_number() over (
            partition by uncovered.opportunity_id, uncovered.role
            order by list_contains(uncovered.seniorities, free_contacts.seniority) desc, free_contacts.strength desc, free_contacts.contact_id) = 1
    ),
    threads as (select opportunity_id, count(distinct contact_id) as contacts from on_deal group by all),
    thread_moves as (
        select free_contacts.opportunity_id, free_contacts.contact_id, free_contacts.user_id, free_contacts.strength, free_contacts.last_interaction
        from free_contacts left join threads using (opportunity_id)
        where coalesce(threads.contacts, 0) <= 1
        qualify row_number() over (partition by free_contacts.opportunity_id order by free_contacts.strength desc, free_contacts.contact_id) = 1
    ),
    deal_people as (
        select activities.opportunity_id,
               bool_or(users.role = ${quoteLiteral(options.executiveRole)}) as has_executive,
               bool_or(users.role = ${quoteLiteral(options.engineerRole)}) as has_engineer
        from activities
        join deals using (opportunity_id)
        join activity_participants as p on p.activity_id = activities.activity_id and p.participant_type = 'user'
        join users on users.user_id = p.participant_id
        where activities.occurred_at::date <= deals.as_of
        group by all
    ),
    quiet_moves as (
        select on_deal.opportunity_id, on_deal.role, on_deal.contact_id, best_tie.user_id, best_tie.strength, best_tie.last_interaction
        from on_deal join deals using (opportunity_id) join wanted using (role) left join best_tie using (contact_id)
        where best_tie.last_interaction is null or best_tie.last_interaction < deals.as_of - ${Math.trunc(options.quietDays)}
        qualify row_number() over (partition by on_deal.opportunity_id order by wanted.priority, on_deal.contact_id) = 1
    ),
    moves as (
        select opportunity_id, case when user_id is not null and user_id <> deals.owner_id and strength > 0 then 'introduction' else 'engage_role' end as kind,
               role, contact_id, user_id, strength, last_interaction, role as truth_key, priority as k
        from role_moves join deals using (opportunity_id)
        union all
        select opportunity_id, 'multi_thread', '${THREAD_ROLE}', contact_id, user_id, strength, last_interaction, '${THREAD_ROLE}', 10 from thread_moves
        union all
        select opportunity_id, 'executive_sponsor', null, null, null, null, null, 'executive_sponsor', 11
        from deals left join deal_people using (opportunity_id) where not coalesce(deal_people.has_executive, false)
        union all
        select opportunity_id, 'solutions_engineer', null, null, null, null, null, 'solutions_engineer', 12
        from deals left join deal_people using (opportunity_id) where not coalesce(deal_people.has_engineer, false)
        union all
        select opportunity_id, 'reengage', role, contact_id, user_id, strength, last_interaction, 'reengage', 13 from quiet_moves
    )
    select moves.opportunity_id, deals.account_id, deals.owner_id, deals.region, moves.kind, moves.role, moves.contact_id,
           case when moves.kind = 'introduction' then moves.user_id end as via_user_id,
           moves.strength::double as tie_strength, moves.last_interaction::varchar as last_interaction, moves.truth_key
    from moves join deals using (opportunity_id)
    order by moves.opportunity_id, moves.k`;
  const rows = await queryRows<{
    opportunity_id: string;
    account_id: string;
    owner_id: string;
    region: string | null;
    kind: MoveKind;
    role: string | null;
    contact_id: string | null;
    via_user_id: string | null;
    tie_strength: number | null;
    last_interaction: string | null;
    truth_key: string;
  }>(conn, sql);
  return rows.map((row) => ({
    moveId: `${row.opportunity_id}:${row.truth_key}:${row.kind}`,
    opportunityId: row.opportunity_id,
    accountId: row.account_id,
    ownerId: row.owner_id,
    region: row.region,
    kind: row.kind,
    role: row.role,
    contactId: row.contact_id,
    viaUserId: row.via_user_id,
    tieStrength: row.kind === 'introduction' || row.kind === 'reengage' ? row.tie_strength : null,
    lastInteraction: row.kind === 'introduction' || row.kind === 'reengage' ? row.last_interaction : null,
    resource:
      row.kind === 'executive_sponsor' ? 'executive' : row.kind === 'solutions_engineer' ? 'solutions_engineer' : null,
    truthKey: row.truth_key,
  }));
}

/** The ids of tonight's `limit` open deals of largest expected value, ties by id. */
function mostValuableDeals(limit: number): string {
  return `select opportunity_id from scores
          where as_of = (select max(as_of) from features_score)
          order by ${expectedValueSql('scores', true)} desc, opportunity_id
          limit ${Math.floor(limit)}`;
}
