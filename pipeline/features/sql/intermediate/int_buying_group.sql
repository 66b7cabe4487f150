-- Per observation: our ties to the buying group (key people) and how much of the decision chain we
-- know and engage. A contact is engaged once they took part in an activity on the deal.
with

deal_contacts as (select * from int_deal_contacts),
required_roles as (select role from seed_required_roles),

-- one row per contact and required role they hold on the deal
contact_roles as (
    select deal_contacts.opportunity_id, deal_contacts.as_of, deal_contacts.contact_id, required_roles.role, deal_contacts.strength, deal_contacts.interactions
    from deal_contacts
    join required_roles on list_contains(deal_contacts.roles, required_roles.role)
),

per_role as (
    select
        opportunity_id,
        as_of,
        count(distinct role) as roles_known,
        count(distinct role) filter (where interactions > 0) as roles_engaged,
        -- the weakest link: for each required role its best-tied contact, then the weakest of those
        min(role_strength) as weakest_required_tie
    from (
        select opportunity_id, as_of, role, max(strength) as role_strength, max(interactions) as interactions
        from contact_roles
        group by all
    )
    group by all
),

per_deal as (
    select
        opportunity_id,
        as_of,
        max(strength) as max_strength,
        sum(strength) as total_strength,
        coalesce(max(strength) filter (where list_contains(roles, 'decision_maker')), 0) as decision_maker_strength,
        coalesce(max(strength) filter (where list_contains(roles, 'champion')), 0) as champion_strength,
        coalesce(max(strength) filter (where list_contains(roles, 'economic_buyer')), 0) as economic_buyer_strength,
        sum(strength) filter (where is_supporter) as supporter_strength,
        count(*) filter (where interactions > 0) as engaged_contacts,
        count(*) filter (where len(roles) > 0) as stakeholders,
        count(*) filter (where len(roles) > 0 and is_supporter) as supporters,
        count(*) filter (where len(roles) > 0 and is_blocker) as blockers,
        coalesce(max(seniority_rank) filter (where interactions > 0), 0) as max_seniority_engaged,
        count(distinct department) filter (where interactions > 0) as departments_engaged,
        coalesce(bool_or(list_contains(roles, 'economic_buyer')), false)::integer as has_economic_buyer,
        coalesce(bool_or(list_contains(roles, 'decision_maker') and interactions > 0), false)::integer as decision_maker_engaged
    from deal_contacts
    group by all
),

final as (
    select
        per_deal.*,
        coalesce(per_role.roles_known, 0) as roles_known,
        coalesce(per_role.roles_engaged, 0) as roles_engaged,
        per_role.weakest_required_tie
    from per_deal
    left join per_role using (opportunity_id, as_of)
)

select * from final
