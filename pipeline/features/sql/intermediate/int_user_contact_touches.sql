-- Who knows whom, raw: one row per interaction shared by one of our employees and a customer contact.
with

touches as (select * from int_contact_touches),
activity_users as (select * from stg_activity_users),

final as (
    select
        touches.activity_id,
        touches.activity_date,
        touches.account_id,
        touches.contact_id,
        activity_users.user_id,
        touches.weight
    from touches
    join activity_users using (activity_id)
)

select * from final
