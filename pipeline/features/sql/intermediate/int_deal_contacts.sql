-- Per observation and contact on the deal: roles known by then, stance, seniority, and the
-- strength of our tie on this deal: sum of activity weights halving every `half_life_days`.
with

observations as (select * from int_observations),
activities as (select * from stg_activities where opportunity_id is not null),
activity_contacts as (select * from stg_activity_contacts),
roles as (select * from stg_contact_roles),
seniority as (select * from seed_seniority),
contacts as (select contact_id, seniority from contacts),

interactions as (
    select
        observations.opportunity_id,
        observations.as_of,
        activity_contacts.contact_id,
        sum(activities.weight * pow(0.5, datediff('day', activities.activity_date, observations.as_of) / getvariable('half_life_days'))) as strength,
        count(*) as interactions
    from observations
    join activities
        on activities.opportunity_id = observations.opportunity_id
        and activities.activity_date <= observations.as_of
    join activity_contacts using (activity_id)
    group by all
),

known_roles as (
    select
        observations.opportunity_id,
        observations.as_of,
        roles.contact_id,
        list(distinct roles.role) as roles,
        bool_or(roles.stance = 'supporter') as is_supporter,
        bool_or(roles.stance = 'opponent' or roles.role = 'blocker') as is_blocker
    from observations
    join roles
        on roles.opportunity_id = observations.opportunity_id
        and roles.created_date <= observations.as_of
    group by all
),

final as (
    select
        opportunity_id,
        as_of,
        contact_id,
        coalesce(known_roles.roles, []) as roles,
        coalesce(known_roles.is_supporter, false) as is_supporter,
        coalesce(known_roles.is_blocker, false) as is_blocker,
        coalesce(seniority.rank, 0) as seniority_rank,
        coalesce(seniority.weight, 1) as seniority_weight,
        coalesce(interactions.strength, 0) as strength,
        coalesce(interactions.interactions, 0) as interactions
    from known_roles
    full join interactions using (opportunity_id, as_of, contact_id)
    left join contacts using (contact_id)
    left join seniority using (seniority)
)

select * from final
