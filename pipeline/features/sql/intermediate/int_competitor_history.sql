-- Competitors known on the deal by the as-of date, and our record against them on deals closed by then.
with

observed as (select opportunity_id, as_of from int_observations),
competitors as (select * from opportunity_competitors),
closed as (select * from int_closed_deals),

known as (
    select observed.opportunity_id, observed.as_of, competitors.competitor, competitors.is_incumbent
    from observed
    join competitors
        on competitors.opportunity_id = observed.opportunity_id
        and competitors.created_date <= observed.as_of
),

-- Every closed deal on which a competitor was recorded, usable from its close date.
record as (
    select competitors.competitor, closed.closed_on, closed.won
    from competitors
    join closed using (opportunity_id)
    where competitors.created_date <= closed.closed_on
),

against as (
    select known.opportunity_id, known.as_of, known.competitor, count(record.won) as faced, coalesce(sum(record.won), 0) as won
    from known
    left join record
        on record.competitor = known.competitor
        and record.closed_on <= known.as_of
    group by all
),

final as (
    select
        known.opportunity_id,
        known.as_of,
        count(distinct known.competitor) as competitors,
        max(known.is_incumbent::integer) as incumbent,
        (sum(against.won) + 1) / (sum(against.faced) + 2) as win_rate_against
    from known
    join against using (opportunity_id, as_of, competitor)
    group by all
)

select * from final
