-- Two-way interactions with customer contacts: one row per activity and contact who took part, with
-- the undecayed strength it adds: activity weight x the contact's seniority weight.
with

activities as (select * from stg_activities),
participants as (select * from activity_participants where participant_type = 'contact'),
contacts as (select * from stg_contacts),

final as (
    select
        activities.activity_id,
        activities.activity_date,
        activities.account_id,
        activities.opportunity_id,
        activities.is_inbound,
        participants.participant_id as contact_id,
        coalesce(contacts.seniority_rank, 0) as seniority_rank,
        contacts.department,
        activities.weight * coalesce(contacts.seniority_weight, 1) as weight
    from activities
    join participants using (activity_id)
    left join contacts on contacts.contact_id = participants.participant_id
)

select * from final
