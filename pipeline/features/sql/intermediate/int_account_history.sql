-- The account relationship as of each observation: its other deals closed by then, and how much
-- we interacted with the account (all deals and account-level touches), with whom, and with which teams.
with

observed as (select * from int_observed_deals),
closed as (select * from int_closed_deals),
activities as (select * from stg_activities where account_id is not null and activity_date is not null),
activity_users as (select * from stg_activity_users),
touches as (select * from int_contact_touches where account_id is not null and activity_date is not null),

past_deals as (
    select
        observed.opportunity_id,
        observed.as_of,
        count(*) filter (where closed.won = 1) as past_won,
        count(*) filter (where closed.won = 0) as past_lost,
        sum(closed.final_amount) filter (where closed.won = 1) as revenue_to_date,
        median(closed.final_amount) filter (where closed.won = 1) as median_won_amount,
        min(closed.closed_on) filter (where closed.won = 1) as first_won_on,
        count(*) filter (where closed.won = 1 and closed.owner_id = observed.owner_id) as owner_past_won,
        count(*) filter (where closed.won = 1 and closed.product_line is not distinct from observed.product_line) as product_past_won
    from observed
    join closed
        on closed.account_id = observed.account_id
        and closed.closed_on <= observed.as_of
    group by all
),

-- The windowed counts (last 90 or 365 days up to the date) as changes on an account's timeline, so that
-- each observation reads one running total "as of" its date instead of joining every active day in
-- its window. An activity counts from its day until the window has passed it (+n on its day, -n 90 or
-- 365 days later). A contact (or team) counts while its latest touch on the account is under 365 days
-- old: from each touch day until the next touch takes over or 365 days pass, whichever comes first.
account_days as (
    select
        activities.account_id,
        activities.activity_date,
        count(*) as activities,
        count(*) filter (where activities.opportunity_id is null) as account_touches,
        count(*) filter (where executive.activity_id is not null) as executive_touches
    from activities
    left join (select distinct activity_id from activity_users where is_executive) as executive using (activity_id)
    group by all
),

-- one row per account, member (team, contact or executive contact) and day the member was seen there
member_days as (
    select distinct activities.account_id, 'team' as kind, activity_users.team as member, activities.activity_date
    from activities
    join activity_users using (activity_id)
    where activity_users.team is not null
    union all
    select distinct account_id, 'contact' as kind, contact_id as member, activity_date
    from touches
    where contact_id is not null
    union all
    select distinct account_id, 'executive' as kind, contact_id as member, activity_date
    from touches
    where contact_id is not null and seniority_rank >= 4
),

-- a member's touches on the account as runs: it counts from a touch day on, and stops 365 days after its
-- last touch unless touched again by then (so a run changes the count only where it starts and ends)
member_runs as (
    select
        account_id,
        kind,
        activity_date,
        coalesce(lag(activity_date) over by_day + 365 < activity_date, true) as run_starts,
        coalesce(lead(activity_date) over by_day > activity_date + 365, true) as run_ends
    from member_days
    window by_day as (partition by account_id, kind, member order by activity_date)
),

changes as (
    select account_id, activity_date as day, activities as activities_90d, account_touches, executive_touches,
           0 as teams, 0 as contacts, 0 as executive_contacts
    from account_days
    union all
    select account_id, activity_date + 90, -activities, 0, 0, 0, 0, 0 from account_days
    union all
    select account_id, activity_date + 365, 0, -account_touches, -executive_touches, 0, 0, 0 from account_days
    union all
    select account_id, activity_date, 0, 0, 0, (kind = 'team')::integer, (kind = 'contact')::integer, (kind = 'executive')::integer
    from member_runs
    where run_starts
    union all
    select account_id, activity_date + 365, 0, 0, 0, -(kind = 'team')::integer, -(kind = 'contact')::integer, -(kind = 'executive')::integer
    from member_runs
    where run_ends
),

-- running totals by day (a day's changes all included: the frame takes the day's peers)
account_timeline as (
    select
        account_id,
        day,
        sum(activities_90d) over so_far as activities_90d,
        sum(account_touches) over so_far as account_touches_365d,
        sum(executive_touches) over so_far as executive_touches_365d,
        sum(teams) over so_far as teams_365d,
        sum(contacts) over so_far as contacts_365d,
        sum(executive_contacts) over so_far as executive_contacts_365d
    from changes
    window so_far as (partition by account_id order by day range between unbounded preceding and current row)
),

final as (
    select
        observed.opportunity_id,
        observed.as_of,
        coalesce(past_deals.past_won, 0) as past_won,
        coalesce(past_deals.past_lost, 0) as past_lost,
        coalesce(past_deals.revenue_to_date, 0) as revenue_to_date,
        past_deals.median_won_amount,
        coalesce(datediff('day', past_deals.first_won_on, observed.as_of), 0) as customer_days,
        coalesce(past_deals.owner_past_won, 0) as owner_past_won,
        coalesce(past_deals.product_past_won, 0) as product_past_won,
        coalesce(timeline.activities_90d, 0)::hugeint as activities_90d,
        coalesce(timeline.teams_365d, 0)::bigint as teams_365d,
        coalesce(timeline.account_touches_365d, 0)::hugeint as account_touches_365d,
        coalesce(timeline.executive_touches_365d, 0)::hugeint as executive_touches_365d,
        coalesce(timeline.contacts_365d, 0)::bigint as contacts_365d,
        coalesce(timeline.executive_contacts_365d, 0)::bigint as executive_contacts_365d
    from observed
    left join past_deals using (opportunity_id, as_of)
    asof left join account_timeline as timeline
        on timeline.account_id = observed.account_id
        and timeline.day <= observed.as_of
)

select * from final
