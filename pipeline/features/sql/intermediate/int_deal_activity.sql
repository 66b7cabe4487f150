-- Per observation: the deal's activity so far, who took part on our side, and its momentum.
with

observations as (select * from int_observations),
activities as (select * from stg_activities where opportunity_id is not null),
activity_users as (select * from stg_activity_users),

deal_activities as (
    select observations.opportunity_id, observations.as_of, activities.* exclude (opportunity_id)
    from observations
    join activities
        on activities.opportunity_id = observations.opportunity_id
        and activities.activity_date <= observations.as_of
),

counts as (
    select
        opportunity_id,
        as_of,
        count(*) as activities,
        avg(is_inbound::integer) as inbound_share,
        count(*) filter (where activity_date > as_of - 30) as activities_30d,
        count(*) filter (where activity_date <= as_of - 30 and activity_date > as_of - 90) as activities_30_90d,
        max(activity_date) as last_activity_on,
        max(activity_date) filter (where is_inbound) as last_inbound_on
    from deal_activities
    group by all
),

people as (
    select
        deal_activities.opportunity_id,
        deal_activities.as_of,
        count(distinct activity_users.user_id) as our_people,
        bool_or(activity_users.is_executive)::integer as executive_involved,
        bool_or(activity_users.is_engineer)::integer as engineer_involved
    from deal_activities
    join activity_users using (activity_id)
    group by all
),

final as (
    select
        observations.opportunity_id,
        observations.as_of,
        coalesce(counts.activities, 0) as activities,
        counts.inbound_share,
        coalesce(counts.activities_30d, 0) as activities_30d,
        coalesce(counts.activities_30_90d, 0) as activities_30_90d,
        counts.last_activity_on,
        counts.last_inbound_on,
        coalesce(people.our_people, 0) as our_people,
        coalesce(people.executive_involved, 0) as executive_involved,
        coalesce(people.engineer_involved, 0) as engineer_involved
    from observations
    left join counts using (opportunity_id, as_of)
    left join people using (opportunity_id, as_of)
)

select * from final
