-- Per observation and contact on the deal: the roles known by then, stance, seniority, department,
-- and the (deal, contact) relationship strength: the deal's two-way interactions with the contact,
-- each weighed by type, direction and seniority and halving every `half_life_days` before the date.
with

observations as (select * from int_observations),
touches as (select * from int_contact_touches where opportunity_id is not null),
roles as (select * from stg_contact_roles),
contacts as (select * from stg_contacts),

interactions as (
    select
        observations.opportunity_id,
        observations.as_of,
        touches.contact_id,
        sum(touches.weight * pow(0.5, datediff('day', touches.activity_date, observations.as_of) / getvariable('half_life_days'))) as strength,
        count(*) as interactions
    from observations
    join touches
        on touches.opportunity_id = observations.opportunity_id
        and touches.activity_date <= observations.as_of
    group by all
),

known_roles as (
    select
        observations.opportunity_id,
        observations.as_of,
        roles.contact_id,
        list(distinct roles.role order by roles.role) as roles,
        bool_or(roles.is_supporter) as is_supporter,
        bool_or(roles.is_blocker) as is_blocker
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
        coalesce(contacts.seniority_rank, 0) as seniority_rank,
        contacts.department,
        coalesce(interactions.strength, 0) as strength,
        coalesce(interactions.interactions, 0) as interactions
    from known_roles
    full join interactions using (opportunity_id, as_of, contact_id)
    left join contacts using (contact_id)
)

select * from final
