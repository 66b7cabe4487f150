-- The account relationship as of each observation: its other deals closed by then, and how much
-- we interacted with the account (all deals and account-level touches) and with how many teams.
with

observed as (select * from int_observed_deals),
closed as (select * from int_closed_deals),
activities as (select * from stg_activities),
activity_users as (select * from stg_activity_users),

past_deals as (
    select
        observed.opportunity_id,
        observed.as_of,
        count(*) filter (where closed.won = 1) as past_won,
        count(*) filter (where closed.won = 0) as past_lost,
        sum(closed.final_amount) filter (where closed.won = 1) as revenue_to_date
    from observed
    join closed
        on closed.account_id = observed.account_id
        and closed.closed_on <= observed.as_of
    group by all
),

recent_activity as (
    select
        observed.opportunity_id,
        observed.as_of,
        count(distinct activities.activity_id) filter (where activities.activity_date > observed.as_of - 90) as activities_90d,
        count(distinct activity_users.team) as teams_365d,
        count(distinct activities.activity_id) filter (where activities.opportunity_id is null) as account_touches_365d
    from observed
    join activities
        on activities.account_id = observed.account_id
        and activities.activity_date <= observed.as_of
        and activities.activity_date > observed.as_of - 365
    left join activity_users using (activity_id)
    group by all
),

final as (
    select
        observed.opportunity_id,
        observed.as_of,
        coalesce(past_deals.past_won, 0) as past_won,
        coalesce(past_deals.past_lost, 0) as past_lost,
        coalesce(past_deals.revenue_to_date, 0) as revenue_to_date,
        coalesce(recent_activity.activities_90d, 0) as activities_90d,
        coalesce(recent_activity.teams_365d, 0) as teams_365d,
        coalesce(recent_activity.account_touches_365d, 0) as account_touches_365d
    from observed
    left join past_deals using (opportunity_id, as_of)
    left join recent_activity using (opportunity_id, as_of)
)

select * from final
