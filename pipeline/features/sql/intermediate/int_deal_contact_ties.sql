-- Who knows whom on each deal: for each contact on the deal as of the date, each of our employees
-- who has interacted with that contact (on any deal or none), and the (employee, contact) strength.
with

deal_contacts as (select opportunity_id, as_of, contact_id from int_deal_contacts),
observed as (select opportunity_id, as_of, owner_id from int_observed_deals),
touches as (select * from int_user_contact_touches),

final as (
    select
        deal_contacts.opportunity_id,
        deal_contacts.as_of,
        deal_contacts.contact_id,
        touches.user_id,
        touches.user_id = observed.owner_id as is_owner,
        sum(touches.weight * pow(0.5, datediff('day', touches.activity_date, deal_contacts.as_of) / getvariable('half_life_days'))) as strength,
        count(*) as interactions
    from deal_contacts
    join observed using (opportunity_id, as_of)
    join touches
        on touches.contact_id = deal_contacts.contact_id
        and touches.activity_date <= deal_contacts.as_of
    group by all
)

select * from final
