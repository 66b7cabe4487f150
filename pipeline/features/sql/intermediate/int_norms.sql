-- Norms of won deals, by month of the as-of date, from deals won before that month began: the median
-- days they spent in each stage, their median cycle and their median won amount per segment.
-- (Monthly norms keep the cost at months x won deals instead of observations x won deals.)
with

observed as (select * from int_observed_deals),
won as (select * from int_closed_deals where won = 1),
history as (select * from stg_opportunity_history),

months as (select distinct date_trunc('month', as_of)::date as month from observed),

stage_runs as (
    select opportunity_id, stage_index, changed_at as entered_on, lead(changed_at) over (partition by opportunity_id order by changed_at) as left_on
    from (
        select * from history
        qualify stage is distinct from lag(stage) over (partition by opportunity_id order by changed_at)
    )
),

won_stage_days as (
    select won.closed_on, stage_runs.stage_index, datediff('day', stage_runs.entered_on, stage_runs.left_on) as days
    from stage_runs
    join won using (opportunity_id)
    where stage_runs.left_on <= won.closed_on and stage_runs.stage_index is not null
),

stage_norms as (
    select months.month, won_stage_days.stage_index, median(won_stage_days.days) as median_days_in_stage
    from months
    join won_stage_days on won_stage_days.closed_on < months.month
    group by all
),

segment_norms as (
    select months.month, won.segment, median(won.final_amount) as median_won_amount, median(won.cycle_days) as median_won_cycle_days
    from months
    join won on won.closed_on < months.month
    group by all
),

final as (
    select
        observed.opportunity_id,
        observed.as_of,
        state.stage_index,
        stage_norms.median_days_in_stage,
        segment_norms.median_won_amount,
        segment_norms.median_won_cycle_days
    from observed
    join int_deal_state as state using (opportunity_id, as_of)
    left join stage_norms on stage_norms.month = date_trunc('month', observed.as_of) and stage_norms.stage_index = state.stage_index
    left join segment_norms on segment_norms.month = date_trunc('month', observed.as_of) and segment_norms.segment is not distinct from observed.segment
)

select * from final
