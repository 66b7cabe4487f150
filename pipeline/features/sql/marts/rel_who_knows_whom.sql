-- Who knows whom as of the run's date: every (our employee, customer contact) pair that shared an
-- interaction, with the relationship strength of that tie. The report site reads it to show where
-- relationships are thin and who could open a door. Identifiers only, no names.
with

touches as (select * from int_user_contact_touches where activity_date <= getvariable('as_of')),
contacts as (select contact_id, account_id from contacts),

final as (
    select
        coalesce(contacts.account_id, touches.account_id) as account_id,
        touches.contact_id,
        touches.user_id,
        getvariable('as_of')::date as as_of,
        sum(touches.weight * pow(0.5, datediff('day', touches.activity_date, getvariable('as_of')) / getvariable('half_life_days')))::double as strength,
        count(*)::integer as interactions,
        max(touches.activity_date) as last_interaction
    from touches
    left join contacts using (contact_id)
    group by all
)

select * from final
