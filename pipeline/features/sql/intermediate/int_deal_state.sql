-- Each observed deal as it stood on its as-of date: stage, amount and expected close from the last
-- change on or before that date, with running counts of revisions, pushes and stage regressions.
with

history as (select * from stg_opportunity_history where not is_closed),

running as (
    select
        *,
        first_value(amount) over deal_so_far as first_amount,
        count(*) filter (where amount is distinct from previous_amount and previous_amount is not null) over deal_so_far as amount_revisions,
        count(*) filter (where expected_close_date > previous_close) over deal_so_far as close_pushes,
        count(*) filter (where stage_index < previous_stage_index) over deal_so_far as stage_regressions,
        max(stage_run_start) over deal_so_far as stage_entered_on
    from (
        select
            *,
            lag(amount) over by_date as previous_amount,
            lag(expected_close_date) over by_date as previous_close,
            lag(stage_index) over by_date as previous_stage_index,
            case when stage is distinct from lag(stage) over by_date then changed_at end as stage_run_start
        from history
        window by_date as (partition by opportunity_id order by changed_at)
    )
    window deal_so_far as (partition by opportunity_id order by changed_at rows between unbounded preceding and current row)
),

observations as (select * from int_observations),

final as (
    select
        observations.opportunity_id,
        observations.as_of,
        observations.purpose,
        running.stage,
        running.stage_index,
        running.stage_probability,
        running.amount,
        running.first_amount,
        running.expected_close_date,
        running.amount_revisions,
        running.close_pushes,
        running.stage_regressions,
        running.stage_entered_on
    from observations
    asof left join running
        on running.opportunity_id = observations.opportunity_id
        and running.changed_at <= observations.as_of
)

select * from final
