-- Every recorded change of a deal, with its stage's order and whether it closes the deal.
-- Several changes on one date collapse into the last one recorded.
with

history as (select * from opportunity_history),
stages as (select * from seed_stages),

final as (
    select
        history.opportunity_id,
        history.changed_at,
        history.stage,
        stages.stage_index,
        coalesce(stages.is_closed, false) as is_closed,
        coalesce(stages.is_won, false) as is_won,
        coalesce(stages.probability, history.probability) as stage_probability,
        history.amount,
        history.close_date as expected_close_date
    from history
    left join stages using (stage)
    qualify row_number() over (partition by history.opportunity_id, history.changed_at order by stages.stage_index desc nulls last) = 1
)

select * from final
