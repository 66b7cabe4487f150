-- Per observation: our ties to the buying group (key people) and how much of the decision chain we cover.
with

deal_contacts as (select * from int_deal_contacts),
required_roles as (select role from seed_required_roles),

per_deal as (
    select
        opportunity_id,
        as_of,
        max(strength * seniority_weight) as max_weighted_strength,
        sum(strength * seniority_weight) as total_weighted_strength,
        coalesce(max(strength) filter (where list_contains(roles, 'decision_maker')), 0) as decision_maker_strength,
        coalesce(max(strength) filter (where list_contains(roles, 'champion')), 0) as champion_strength,
        count(*) filter (where interactions > 0) as engaged_contacts,
        count(*) filter (where len(roles) > 0) as stakeholders,
        coalesce(max(seniority_rank) filter (where interactions > 0), 0) as max_seniority_engaged,
        count(*) filter (where is_blocker) as blockers,
        count(*) filter (where is_supporter) as supporters,
        bool_or(list_contains(roles, 'economic_buyer'))::integer as has_economic_buyer,
        list_distinct(flatten(list(roles))) as known_roles
    from deal_contacts
    group by all
),

final as (
    select
        per_deal.* exclude (known_roles),
        (select count(*) from required_roles where list_contains(per_deal.known_roles, required_roles.role)) as roles_covered
    from per_deal
)

select * from final
