-- When each deal closed and how, read from its history (the first closing change), so that a
-- deal's outcome is known only from its close date on.
select
    opportunity_id,
    min(changed_at) as closed_on,
    arg_min(is_won, changed_at)::integer as won,
    arg_min(amount, changed_at) as final_amount
from stg_opportunity_history
where is_closed
group by opportunity_id
