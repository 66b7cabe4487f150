-- Activities with the weight each carries in relationship strength.
with

activities as (select * from activities),
weights as (select * from seed_activity_weights),

final as (
    select
        activities.activity_id,
        activities.account_id,
        activities.opportunity_id,
        activities.type,
        activities.occurred_at::date as activity_date,
        activities.direction = 'inbound' as is_inbound,
        coalesce(weights.weight, 1)
            * case when activities.direction = 'inbound' then getvariable('inbound_weight') else 1 end as weight
    from activities
    left join weights using (type)
)

select * from final
