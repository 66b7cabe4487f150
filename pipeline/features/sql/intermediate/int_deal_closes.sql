-- When each deal closed and how, read from its history as of the date (the first closing change
-- after its last open one), so that a deal's outcome is known only from its close date on, and a
-- deal reopened after a close (open again by the date) is open, not closed by the close it left.
with

history as (select * from stg_opportunity_history where changed_at <= getvariable('as_of')),

last_open as (
    select opportunity_id, max(changed_at) as last_open_on
    from history
    where not is_closed
    group by opportunity_id
),

final as (
    select
        history.opportunity_id,
        min(history.changed_at) as closed_on,
        arg_min(history.is_won, history.changed_at)::integer as won,
        arg_min(history.amount, history.changed_at) as final_amount
    from history
    left join last_open using (opportunity_id)
    where history.is_closed and (last_open.last_open_on is null or history.changed_at > last_open.last_open_on)
    group by history.opportunity_id
)

select * from final
