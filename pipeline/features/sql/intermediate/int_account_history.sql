-- The account relationship as of each observation: its other deals closed by then, and how much
-- we interacted with the account (all deals and account-level touches), with whom, and with which teams.
with

observed as (select * from int_observed_deals),
closed as (select * from int_closed_deals),
activities as (select * from stg_activities),
activity_users as (select * from stg_activity_users),
touches as (select * from int_contact_touches),

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

-- The account's activity as one timeline per account and date: running totals of its activities, and
-- how many contacts, executive contacts and teams are active on the date (touched in the 365 days up to
-- it). Each observation looks its account up "as of" its date (and 90 and 365 days before, for the
-- counts in a window), so the cost grows with activity days, not observations x their year's days.
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

-- the days each contact and team took part in an interaction with the account (a contact's
-- seniority is the contact's, the same on every day)
touch_days as (
    select distinct 'contact' as kind, account_id, contact_id as member, activity_date, seniority_rank >= 4 as is_executive
    from touches
    union all
    select distinct 'team' as kind, activities.account_id, activity_users.team as member, activities.activity_date, false
    from activities
    join activity_users using (activity_id)
),

-- a touch on day d makes its member count on days d to d + 364, so touches at most 365 days apart
-- make one spell: the member starts counting at a touch more than 365 days after its previous one,
-- and stops 365 days after a touch more than 365 days before its next (count distinct as +1 / -1)
member_touches as (
    select
        kind,
        account_id,
        activity_date,
        is_executive,
        activity_date - lag(activity_date) over member_order > 365 is not false as starts_spell,
        lead(activity_date) over member_order - activity_date > 365 is not false as ends_spell
    from touch_days
    where account_id is not null and member is not null and activity_date is not null
    window member_order as (partition by kind, account_id, member order by activity_date)
),

account_events as (
    select account_id, activity_date as day, activities, account_touches, executive_touches,
        0 as contacts, 0 as executive_contacts, 0 as teams
    from account_days
    where account_id is not null and activity_date is not null
    union all
    select account_id, activity_date, 0, 0, 0,
        (kind = 'contact')::integer, is_executive::integer, (kind = 'team')::integer
    from member_touches
    where starts_spell
    union all
    select account_id, activity_date + 365, 0, 0, 0,
        -(kind = 'contact')::integer, -is_executive::integer, -(kind = 'team')::integer
    from member_touches
    where ends_spell
),

account_timeline as (
    select
        account_id,
        day,
        sum(sum(activities)::bigint) over to_date as activities,
        sum(sum(account_touches)::bigint) over to_date as account_touches,
        sum(sum(executive_touches)::bigint) over to_date as executive_touches,
        sum(sum(contacts)::bigint) over to_date as contacts,
        sum(sum(executive_contacts)::bigint) over to_date as executive_contacts,
        sum(sum(teams)::bigint) over to_date as teams
    from account_events
    group by account_id, day
    window to_date as (partition by account_id order by day rows unbounded preceding)
),

recent as (
    select
        observed.opportunity_id,
        observed.as_of,
        coalesce(now.activities, 0) - coalesce(before_90d.activities, 0) as activities_90d,
        coalesce(now.account_touches, 0) - coalesce(before_365d.account_touches, 0) as account_touches_365d,
        coalesce(now.executive_touches, 0) - coalesce(before_365d.executive_touches, 0) as executive_touches_365d,
        coalesce(now.contacts, 0) as contacts_365d,
        coalesce(now.executive_contacts, 0) as executive_contacts_365d,
        coalesce(now.teams, 0) as teams_365d
    from observed
    asof left join account_timeline as now
        on now.account_id = observed.account_id and now.day <= observed.as_of
    asof left join account_timeline as before_90d
        on before_90d.account_id = observed.account_id and before_90d.day <= observed.as_of - 90
    asof left join account_timeline as before_365d
        on before_365d.account_id = observed.account_id and before_365d.day <= observed.as_of - 365
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
        -- the types the old per-observation sums had (hugeint), so the tables downstream keep theirs
        recent.activities_90d::hugeint as activities_90d,
        recent.teams_365d::bigint as teams_365d,
        recent.account_touches_365d::hugeint as account_touches_365d,
        recent.executive_touches_365d::hugeint as executive_touches_365d,
        recent.contacts_365d::bigint as contacts_365d,
        recent.executive_contacts_365d::bigint as executive_contacts_365d
    from observed
    left join past_deals using (opportunity_id, as_of)
    left join recent using (opportunity_id, as_of)
)

select * from final
