-- Contacts' roles on deals, with their seniority.
with

roles as (select * from opportunity_contact_roles),
contacts as (select * from contacts),
seniority as (select * from seed_seniority),

final as (
    select
        roles.opportunity_id,
        roles.contact_id,
        roles.role,
        roles.stance,
        roles.created_date,
        coalesce(seniority.rank, 0) as seniority_rank,
        coalesce(seniority.weight, 1) as seniority_weight
    from roles
    left join contacts using (contact_id)
    left join seniority on seniority.seniority = contacts.seniority
)

select * from final
