-- The deal owner's own track record and load as of each observation. Running counts per owner by
-- date are joined "as of", so the cost grows with deals, not deals x the owner's deals.
with

observed as (select * from int_observed_deals),
closed as (select * from int_closed_deals),
users as (select * from users),

closed_so_far as (
    select distinct
        owner_id, closed_on,
        count(*) over owner_so_far as closed,
        sum(won) over owner_so_far as won
    from closed
    window owner_so_far as (partition by owner_id order by closed_on range between unbounded preceding and current row)
),

created_so_far as (
    select distinct
        owner_id, created_date,
        count(*) over owner_so_far as created
    from opportunities
    window owner_so_far as (partition by owner_id order by created_date range between unbounded preceding and current row)
),

final as (
    select
        observed.opportunity_id,
        observed.as_of,
        coalesce(closed_so_far.won, 0) as owner_won,
        coalesce(closed_so_far.closed, 0) as owner_closed,
        -- deals the owner had created by the date minus those closed by then (this one included)
        coalesce(created_so_far.created, 0) - coalesce(closed_so_far.closed, 0) as owner_open_deals,
        datediff('day', users.hire_date, observed.as_of) as owner_tenure_days
    from observed
    asof left join closed_so_far
        on closed_so_far.owner_id = observed.owner_id
        and closed_so_far.closed_on <= observed.as_of
    asof left join created_so_far
        on created_so_far.owner_id = observed.owner_id
        and created_so_far.created_date <= observed.as_of
    left join users on users.user_id = observed.owner_id
)

select * from final
