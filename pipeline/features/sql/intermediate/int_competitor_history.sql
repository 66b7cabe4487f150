-- Competitors known on the deal by the as-of date, and our record against each on deals closed by
-- then. Running totals per competitor by close date are joined "as of" (linear in deals).
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

-- Every closed deal on which a competitor had been recorded, usable from its close date.
record_so_far as (
    select distinct
        competitor, closed_on,
        count(*) over competitor_so_far as faced,
        sum(won) over competitor_so_far as won
    from (
        select competitors.competitor, closed.closed_on, closed.won
        from competitors
        join closed using (opportunity_id)
        where competitors.created_date <= closed.closed_on
    )
    window competitor_so_far as (partition by competitor order by closed_on range between unbounded preceding and current row)
),

against as (
    select known.*, coalesce(record_so_far.faced, 0) as faced, coalesce(record_so_far.won, 0) as won
    from known
    asof left join record_so_far
        on record_so_far.competitor = known.competitor
        and record_so_far.closed_on <= known.as_of
),

final as (
    select
        opportunity_id,
        as_of,
        count(distinct competitor) as competitors,
        max(coalesce(is_incumbent, false)::integer) as incumbent,
        (sum(won) + 1) / (sum(faced) + 2) as win_rate_against,
        min((won + 1) / (faced + 2)) as weakest_win_rate,
        sum(faced) as past_encounters
    from against
    group by all
)

select * from final
