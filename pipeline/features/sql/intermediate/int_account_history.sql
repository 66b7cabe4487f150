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

-- activity first reduced to one row per account and day (and team, and contact), so that each
-- observation joins its account's active days of the year, not every single activity
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

account_team_days as (
    select distinct activities.account_id, activities.activity_date, activity_users.team
    from activities
    join activity_users using (activity_id)
),

account_contact_days as (
    select distinct account_id, activity_date, contact_id, seniority_rank
    from touches
),

recent_activity as (
    select
        observed.opportunity_id,
        observed.as_of,
        sum(days.activities) filter (where days.activity_date > observed.as_of - 90) as activities_90d,
        sum(days.account_touches) as account_touches_365d,
        sum(days.executive_touches) as executive_touches_365d
    from observed
    join account_days as days
        on days.account_id = observed.account_id
        and days.activity_date <= observed.as_of
        and days.activity_date > observed.as_of - 365
    group by all
),

recent_teams as (
    select observed.opportunity_id, observed.as_of, count(distinct days.team) as teams_365d
    from observed
    join account_team_days as days
        on days.account_id = observed.account_id
        and days.activity_date <= observed.as_of
        and days.activity_date > observed.as_of - 365
    group by all
),

recent_contacts as (
    select
        observed.opportunity_id,
        observed.as_of,
        count(distinct days.contact_id) as contacts_365d,
        count(distinct days.contact_id) filter (where days.seniority_rank >= 4) as executive_contacts_365d
    from observed
    join account_contact_days as days
        on days.account_id = observed.account_id
        and days.activity_date <= observed.as_of
        and days.activity_date > observed.as_of - 365
    group by all
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
        coalesce(recent_activity.activities_90d, 0) as activities_90d,
        coalesce(recent_teams.teams_365d, 0) as teams_365d,
        coalesce(recent_activity.account_touches_365d, 0) as account_touches_365d,
        coalesce(recent_activity.executive_touches_365d, 0) as executive_touches_365d,
        coalesce(recent_contacts.contacts_365d, 0) as contacts_365d,
        coalesce(recent_contacts.executive_contacts_365d, 0) as executive_contacts_365d
    from observed
    left join past_deals using (opportunity_id, as_of)
    left join recent_activity using (opportunity_id, as_of)
    left join recent_teams using (opportunity_id, as_of)
    left join recent_contacts using (opportunity_id, as_of)
)

select * from final
