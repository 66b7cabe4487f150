-- Deals that have closed, with what they were: the record that history-based features learn from.
-- Each row is usable only from its `closed_on` date on.
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
    closes.final_amount
from int_deal_closes as closes
join opportunities using (opportunity_id)
left join accounts using (account_id)
