-- Similar past projects: how deals of the same segment, product line and type went, and how deals
-- from the same lead source went, counting only those closed by the as-of date. Running totals by
-- close date are joined "as of", so the cost grows with deals, not deals x dates.
with

observed as (select * from int_observed_deals),
closed as (select * from int_closed_deals),

by_profile as (
    select distinct
        segment, product_line, type, closed_on,
        sum(won) over profile_so_far as won,
        count(*) over profile_so_far as deals
    from closed
    window profile_so_far as (partition by segment, product_line, type order by closed_on range between unbounded preceding and current row)
),

by_product as (
    select distinct
        product_line, closed_on,
        sum(won) over product_so_far as won,
        count(*) over product_so_far as deals
    from closed
    window product_so_far as (partition by product_line order by closed_on range between unbounded preceding and current row)
),

by_source as (
    select distinct
        lead_source, closed_on,
        sum(won) over source_so_far as won,
        count(*) over source_so_far as deals
    from closed
    window source_so_far as (partition by lead_source order by closed_on range between unbounded preceding and current row)
),

final as (
    select
        observed.opportunity_id,
        observed.as_of,
        coalesce(by_profile.deals, 0) as similar_deals,
        (coalesce(by_profile.won, 0) + 1) / (coalesce(by_profile.deals, 0) + 2) as similar_win_rate,
        (coalesce(by_product.won, 0) + 1) / (coalesce(by_product.deals, 0) + 2) as product_win_rate,
        (coalesce(by_source.won, 0) + 1) / (coalesce(by_source.deals, 0) + 2) as source_win_rate
    from observed
    asof left join by_profile
        on by_profile.segment is not distinct from observed.segment
        and by_profile.product_line is not distinct from observed.product_line
        and by_profile.type is not distinct from observed.type
        and by_profile.closed_on <= observed.as_of
    asof left join by_product
        on by_product.product_line is not distinct from observed.product_line
        and by_product.closed_on <= observed.as_of
    asof left join by_source
        on by_source.lead_source is not distinct from observed.lead_source
        and by_source.closed_on <= observed.as_of
)

select * from final
