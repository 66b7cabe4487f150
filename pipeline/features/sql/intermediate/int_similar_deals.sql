-- Similar past projects. For each observation, the k nearest deals that closed on or before its date:
-- candidates are the `similar_pool` most recent closed deals of the same segment and product line
-- (a bucket), ranked by a distance over deal type, size, stage reached and relationship profile
-- (engaged contacts); a candidate that got at least as far as the deal's stage is not penalised for it.
-- Candidates are numbered within their bucket by close date; each distinct pool (a bucket's candidates up
-- to the last one closed by a date) is gathered once as a list, and each observation ranks its pool's
-- list: the cost grows with observations x pool, never with observations x all closed deals, and no
-- large join or top-k aggregate is needed. Also the lead source's and product line's running record.
with

observed as (select * from int_observed_deals),
state as (select opportunity_id, as_of, amount, stage_index from int_deal_state),
buying_group as (select opportunity_id, as_of, engaged_contacts from int_buying_group),
closed as (select * from int_closed_deals),

buckets as (
    select segment_key, product_key, row_number() over (order by segment_key, product_key) as bucket
    from (select distinct coalesce(segment, '') as segment_key, coalesce(product_line, '') as product_key from closed)
),

-- deal types as numbers (NULL stays NULL: "another type" compares them as the text would)
types as (
    select type, row_number() over (order by type) as type_id
    from (select distinct type from closed where type is not null)
),

candidates as (
    select
        buckets.bucket,
        types.type_id,
        closed.won,
        closed.cycle_days,
        closed.final_amount,
        closed.closed_on,
        closed.stage_reached::double as stage_reached,
        closed.engaged_contacts::double as engaged_contacts,
        ln(greatest(coalesce(closed.last_open_amount, 1), 1)) as log_amount,
        row_number() over (partition by buckets.bucket order by closed.closed_on, closed.opportunity_id) as seq
    from closed
    join buckets on buckets.segment_key = coalesce(closed.segment, '') and buckets.product_key = coalesce(closed.product_line, '')
    left join types on types.type = closed.type
),

bucket_so_far as (
    select bucket, closed_on, max(seq) as last_seq
    from candidates
    group by all
),

targets as (
    select
        observed.opportunity_id,
        observed.as_of,
        buckets.bucket,
        -- a type no closed deal has is another type than every candidate's, as is NULL against a known one
        case when observed.type is not null then coalesce(types.type_id, 0) end as type_id,
        ln(greatest(coalesce(state.amount, 1), 1)) as log_amount,
        coalesce(state.stage_index, 1)::double as stage_index,
        coalesce(buying_group.engaged_contacts, 0)::double as engaged_contacts
    from observed
    join buckets on buckets.segment_key = coalesce(observed.segment, '') and buckets.product_key = coalesce(observed.product_line, '')
    left join types on types.type = observed.type
    left join state using (opportunity_id, as_of)
    left join buying_group using (opportunity_id, as_of)
),

-- the last candidate of the target's bucket closed by its date
target_pools as (
    select targets.*, bucket_so_far.last_seq
    from targets
    asof join bucket_so_far
        on bucket_so_far.bucket = targets.bucket
        and bucket_so_far.closed_on <= targets.as_of
),

-- each pool once, as a list: the `similar_pool` candidates of a bucket up to a last one
pools as (
    select
        pool_ends.bucket,
        pool_ends.last_seq,
        list({
            'type_id': candidates.type_id, 'log_amount': candidates.log_amount, 'stage_reached': candidates.stage_reached,
            'engaged_contacts': candidates.engaged_contacts, 'seq': candidates.seq,
            'won': candidates.won, 'cycle_days': candidates.cycle_days, 'final_amount': candidates.final_amount
        }) as pool
    from (select distinct bucket, last_seq from target_pools) as pool_ends
    join candidates
        on candidates.bucket = pool_ends.bucket
        and candidates.seq <= pool_ends.last_seq
        and candidates.seq > pool_ends.last_seq - getvariable('similar_pool')
    group by all
),

-- the k nearest by distance: positions in the pool of the k smallest. Distance: 1 for another deal
-- type, + |difference of ln amounts|, + 0.5 per stage the candidate fell short of the deal's current
-- stage (a deal that got further did pass through it), + 0.25 per engaged contact apart;
-- rounded, then ties go to the latest closed (the seq term is far below the rounding).
nearest as (
    select
        target_pools.opportunity_id,
        target_pools.as_of,
        pools.pool,
        list_grade_up(list_transform(pools.pool, c ->
            round(
                (c.type_id is distinct from target_pools.type_id)::double
                + abs(c.log_amount - target_pools.log_amount)
                + 0.5::double * greatest(target_pools.stage_index - c.stage_reached, 0)
                + 0.25::double * abs(c.engaged_contacts - target_pools.engaged_contacts),
                6
            ) - c.seq * 1e-13::double
        ))[1:getvariable('similar_k')] as neighbours
    from target_pools
    join pools using (bucket, last_seq)
),

nearest_summary as (
    select
        opportunity_id,
        as_of,
        len(neighbours)::bigint as similar_deals,
        list_sum(list_transform(neighbours, i -> pool[i].won)) as similar_won,
        list_median(list_transform(neighbours, i -> pool[i].cycle_days)) as median_cycle_days,
        list_median(list_transform(list_filter(neighbours, i -> pool[i].won = 1), i -> pool[i].final_amount)) as median_won_amount
    from nearest
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
        coalesce(nearest_summary.similar_deals, 0) as similar_deals,
        (coalesce(nearest_summary.similar_won, 0) + 1) / (coalesce(nearest_summary.similar_deals, 0) + 2) as similar_win_rate,
        nearest_summary.median_cycle_days,
        nearest_summary.median_won_amount,
        (coalesce(by_product.won, 0) + 1) / (coalesce(by_product.deals, 0) + 2) as product_win_rate,
        (coalesce(by_source.won, 0) + 1) / (coalesce(by_source.deals, 0) + 2) as source_win_rate
    from observed
    left join nearest_summary using (opportunity_id, as_of)
    asof left join by_product
        on by_product.product_line is not distinct from observed.product_line
        and by_product.closed_on <= observed.as_of
    asof left join by_source
        on by_source.lead_source is not distinct from observed.lead_source
        and by_source.closed_on <= observed.as_of
)

select * from final
