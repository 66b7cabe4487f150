-- Similar past projects. For each observation, the k nearest deals that closed on or before its date:
-- candidates are the `similar_pool` most recent closed deals of the same segment and product line
-- (a bucket), ranked by a distance over deal type, size, stage reached and relationship profile
-- (engaged contacts); a candidate that got at least as far as the deal's stage is not penalised for it. Candidates are numbered within their bucket by close date and cut into blocks
-- of `similar_pool`, so each observation joins two blocks: the cost grows with observations x pool,
-- never with observations x all closed deals. Also the lead source's and product line's running record.
with

observed as (select * from int_observed_deals),
state as (select opportunity_id, as_of, amount, stage_index from int_deal_state),
buying_group as (select opportunity_id, as_of, engaged_contacts from int_buying_group),
closed as (select * from int_closed_deals),

candidates as (
    select
        * exclude (stage_reached, engaged_contacts),
        coalesce(segment, '') as segment_key,
        coalesce(product_line, '') as product_key,
        stage_reached::double as stage_reached,
        engaged_contacts::double as engaged_contacts,
        ln(greatest(coalesce(last_open_amount, 1), 1)) as log_amount,
        row_number() over (order by opportunity_id) as candidate_id,
        row_number() over (partition by coalesce(segment, ''), coalesce(product_line, '') order by closed_on, opportunity_id) as seq
    from closed
),

blocked_candidates as (
    select *, (seq - 1) // getvariable('similar_pool') as block from candidates
),

bucket_so_far as (
    select segment_key, product_key, closed_on, max(seq) as last_seq
    from candidates
    group by all
),

targets as (
    select
        observed.opportunity_id,
        observed.as_of,
        coalesce(observed.segment, '') as segment_key,
        coalesce(observed.product_line, '') as product_key,
        observed.type,
        ln(greatest(coalesce(state.amount, 1), 1)) as log_amount,
        coalesce(state.stage_index, 1)::double as stage_index,
        coalesce(buying_group.engaged_contacts, 0)::double as engaged_contacts
    from observed
    left join state using (opportunity_id, as_of)
    left join buying_group using (opportunity_id, as_of)
),

-- the last candidate of the target's bucket closed by its date, and the two blocks to look in
target_blocks as (
    select targets.*, bucket_so_far.last_seq, unnest([(bucket_so_far.last_seq - 1) // getvariable('similar_pool'), (bucket_so_far.last_seq - 1) // getvariable('similar_pool') - 1]) as block
    from targets
    asof join bucket_so_far
        on bucket_so_far.segment_key = targets.segment_key
        and bucket_so_far.product_key = targets.product_key
        and bucket_so_far.closed_on <= targets.as_of
),

-- the k nearest by distance, kept with a top-k aggregate (no full sort). Distance: 1 for another deal
-- type, + |difference of ln amounts|, + 0.5 per stage the candidate fell short of the deal's current
-- stage (a deal that got further did pass through it), + 0.25 per engaged contact apart;
-- rounded, then ties go to the latest closed (the seq term is far below the rounding).
nearest as (
    select
        target_blocks.opportunity_id,
        target_blocks.as_of,
        min_by(
            candidates.candidate_id,
            round(
                (candidates.type is distinct from target_blocks.type)::double
                + abs(candidates.log_amount - target_blocks.log_amount)
                + 0.5::double * greatest(target_blocks.stage_index - candidates.stage_reached, 0)
                + 0.25::double * abs(candidates.engaged_contacts - target_blocks.engaged_contacts),
                6
            ) - candidates.seq * 1e-13::double,
            getvariable('similar_k')
        ) as neighbour_ids
    from target_blocks
    join blocked_candidates as candidates
        on candidates.segment_key = target_blocks.segment_key
        and candidates.product_key = target_blocks.product_key
        and candidates.block = target_blocks.block
    where candidates.seq <= target_blocks.last_seq
        and candidates.seq > target_blocks.last_seq - getvariable('similar_pool')
    group by all
),

nearest_summary as (
    select
        nearest.opportunity_id,
        nearest.as_of,
        count(*) as similar_deals,
        sum(candidates.won) as similar_won,
        median(candidates.cycle_days) as median_cycle_days,
        median(candidates.final_amount) filter (where candidates.won = 1) as median_won_amount
    from (select opportunity_id, as_of, unnest(neighbour_ids) as candidate_id from nearest) as nearest
    join blocked_candidates as candidates using (candidate_id)
    group by all
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
