-- Customer contacts with their seniority's rank and the weight their ties carry.
with

contacts as (select * from contacts),
seniority as (select * from seed_seniority),

final as (
    select
        contacts.contact_id,
        contacts.account_id,
        contacts.department,
        coalesce(seniority.rank, 0) as seniority_rank,
        coalesce(seniority.weight, 1) as seniority_weight
    from contacts
    left join seniority on seniority.seniority = contacts.seniority
)

select * from final
