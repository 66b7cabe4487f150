-- Per observation: the owner's own strongest tie to the deal's contacts, and the best tie any other
-- colleague has (who could open a door), with how many colleagues know someone on the deal.
with

ties as (select * from int_deal_contact_ties),

final as (
    select
        opportunity_id,
        as_of,
        coalesce(max(strength) filter (where is_owner), 0) as owner_tie,
        coalesce(max(strength) filter (where not is_owner), 0) as best_colleague_tie,
        count(distinct user_id) filter (where not is_owner) as colleagues_with_ties
    from ties
    group by all
)

select * from final
