-- Who knows whom: for each contact on the deal, the ties our other employees (not the owner) have
-- built with them across every deal and account touch up to the as-of date.
with

deal_contacts as (select distinct opportunity_id, as_of, contact_id from int_deal_contacts),
observed as (select opportunity_id, as_of, owner_id from int_observed_deals),
touches as (
    select activity_contacts.contact_id, activity_users.user_id, activities.activity_date, activities.weight
    from stg_activity_contacts as activity_contacts
    join stg_activity_users as activity_users using (activity_id)
    join stg_activities as activities using (activity_id)
),

ties as (
    select
        deal_contacts.opportunity_id,
        deal_contacts.as_of,
        touches.user_id,
        touches.contact_id,
        sum(touches.weight * pow(0.5, datediff('day', touches.activity_date, deal_contacts.as_of) / getvariable('half_life_days'))) as strength
    from deal_contacts
    join observed using (opportunity_id, as_of)
    join touches
        on touches.contact_id = deal_contacts.contact_id
        and touches.activity_date <= deal_contacts.as_of
        and touches.user_id <> observed.owner_id
    group by all
),

final as (
    select opportunity_id, as_of, max(strength) as best_colleague_tie, count(distinct user_id) as colleagues_with_ties
    from ties
    group by all
)

select * from final
