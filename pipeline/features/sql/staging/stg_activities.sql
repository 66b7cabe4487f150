-- Activities with the weight each carries in relationship strength: its type's weight, times the
-- inbound weight when the customer initiated it (a sign that the tie runs both ways).
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
        coalesce(activities.direction = 'inbound', false) as is_inbound,
        coalesce(weights.weight, getvariable('other_activity_weight'))
            * case when activities.direction = 'inbound' then getvariable('inbound_weight') else 1 end as weight
    from activities
    left join weights using (type)
)

select * from final
