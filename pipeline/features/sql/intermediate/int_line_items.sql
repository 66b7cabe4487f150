-- Products quoted on the deal by the as-of date.
select
    observations.opportunity_id,
    observations.as_of,
    count(*) as line_items,
    count(distinct items.product) as distinct_products,
    avg(items.discount) as average_discount
from int_observations as observations
join opportunity_line_items as items
    on items.opportunity_id = observations.opportunity_id
    and items.created_date <= observations.as_of
group by all
