-- Each observation with the deal's fixed attributes (those that do not change over its life).
select
    observations.*,
    opportunities.account_id,
    opportunities.owner_id,
    opportunities.product_line,
    opportunities.type,
    opportunities.lead_source,
    opportunities.created_date,
    accounts.segment,
    accounts.industry,
    accounts.region
from int_observations as observations
join opportunities using (opportunity_id)
left join accounts using (account_id)
