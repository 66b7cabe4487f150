-- Contacts' roles on deals, with when they were recorded and whether they block the deal.
with

roles as (select * from opportunity_contact_roles),

final as (
    select
        roles.opportunity_id,
        roles.contact_id,
        roles.role,
        roles.stance,
        roles.created_date,
        roles.stance = 'supporter' as is_supporter,
        roles.stance = 'opponent' or list_contains(getvariable('blocker_roles'), roles.role) as is_blocker
    from roles
)

select * from final
