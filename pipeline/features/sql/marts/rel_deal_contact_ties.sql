-- Who knows whom on each open deal as of the run's date: for each contact on the deal, each of our
-- employees with a tie to them, how strong, and whether that employee owns the deal.
with

ties as (select * from int_deal_contact_ties),
observations as (select opportunity_id, as_of from int_observations where purpose = 'score'),

final as (
    select
        ties.opportunity_id,
        ties.contact_id,
        ties.user_id,
        ties.as_of,
        ties.is_owner,
        ties.strength::double as strength,
        ties.interactions::integer as interactions
    from ties
    join observations using (opportunity_id, as_of)
)

select * from final
