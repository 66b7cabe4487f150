-- The deal owner's own track record as of each observation.
with

observed as (select * from int_observed_deals),
closed as (select * from int_closed_deals),
users as (select * from users),

record as (
    select
        observed.opportunity_id,
        observed.as_of,
        count(*) filter (where closed.won = 1) as owner_won,
        count(*) as owner_closed
    from observed
    join closed
        on closed.owner_id = observed.owner_id
        and closed.closed_on <= observed.as_of
    group by all
),

final as (
    select
        observed.opportunity_id,
        observed.as_of,
        coalesce(record.owner_won, 0) as owner_won,
        coalesce(record.owner_closed, 0) as owner_closed,
        datediff('day', users.hire_date, observed.as_of) as owner_tenure_days
    from observed
    left join record using (opportunity_id, as_of)
    left join users on users.user_id = observed.owner_id
)

select * from final
