-- Deals that have closed, with what they were and how they went: the record that history-based
-- features (account, owner, competitors, norms, similar projects) learn from. Each row may be used
-- only from its `closed_on` date on, and everything in it is dated on or before that day.
with

closes as (select * from int_deal_closes),
opportunities as (select * from opportunities),
accounts as (select account_id, segment from accounts),

-- how far the deal got and the rep's last amount before it closed (nothing recorded after the close)
open_life as (
    select history.opportunity_id, max(history.stage_index) as stage_reached, arg_max(history.amount, history.changed_at) as last_open_amount
    from stg_opportunity_history as history
    join closes using (opportunity_id)
    where not history.is_closed and history.changed_at <= closes.closed_on
    group by history.opportunity_id
),

engaged as (
    select touches.opportunity_id, count(distinct touches.contact_id) as engaged_contacts
    from int_contact_touches as touches
    join closes using (opportunity_id)
    where touches.activity_date <= closes.closed_on
    group by touches.opportunity_id
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.product_line,
        opportunities.type,
        opportunities.lead_source,
        accounts.segment,
        opportunities.created_date,
        closes.closed_on,
        closes.won,
        closes.final_amount,
        datediff('day', opportunities.created_date, closes.closed_on) as cycle_days,
        coalesce(open_life.stage_reached, 0) as stage_reached,
        coalesce(open_life.last_open_amount, closes.final_amount) as last_open_amount,
        coalesce(engaged.engaged_contacts, 0) as engaged_contacts
    from closes
    join opportunities using (opportunity_id)
    left join accounts using (account_id)
    left join open_life using (opportunity_id)
    left join engaged using (opportunity_id)
)

select * from final
