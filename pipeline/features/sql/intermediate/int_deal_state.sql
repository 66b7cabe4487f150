-- Each observed deal as it stood on its as-of date: stage, amount and expected close from the last
-- change on or before that date, with running counts of revisions, pushes and stage regressions.
--
-- One distribution for training and scoring: when the history cannot say how closed deals stood
-- while open (a flat export, one snapshot: fewer than half the closed deals have an open-stage
-- change before their close), open deals' snapshot state would be seen at scoring but never in
-- training. Then every observation, training and scoring alike, gets the same state: the deal's
-- amount as exported, and no stage, expected close or change counts (left out of both).
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

closes as (select * from int_deal_closes),

-- share of closed deals whose history shows them open before the close
coverage as (
    select coalesce(avg((exists (
        select 1 from history
        where history.opportunity_id = closes.opportunity_id and history.changed_at < closes.closed_on
    ))::integer), 1) as covered_share
    from closes
    where closes.closed_on <= getvariable('as_of')
),

mode as (select covered_share < 0.5 as flat from coverage),

final as (
    select
        observations.opportunity_id,
        observations.as_of,
        observations.purpose,
        case when not mode.flat then running.stage end as stage,
        case when not mode.flat then running.stage_index end as stage_index,
        -- the CRM's baseline probability stays where the export gives it (not a model input)
        running.stage_probability,
        case when mode.flat then opportunities.amount else running.amount end as amount,
        case when mode.flat then opportunities.amount else running.first_amount end as first_amount,
        case when not mode.flat then running.expected_close_date end as expected_close_date,
        case when mode.flat then 0 else running.amount_revisions end as amount_revisions,
        case when mode.flat then 0 else running.close_pushes end as close_pushes,
        case when mode.flat then 0 else running.stage_regressions end as stage_regressions,
        case when not mode.flat then running.stage_entered_on end as stage_entered_on,
        mode.flat as flat_history
    from observations
    cross join mode
    join opportunities using (opportunity_id)
    asof left join running
        on running.opportunity_id = observations.opportunity_id
        and running.changed_at <= observations.as_of
)

select * from final
