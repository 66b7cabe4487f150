-- Which of our employees took part in each activity, with their role and team in our company.
with

participants as (select * from activity_participants where participant_type = 'user'),
users as (select * from users),

final as (
    select
        participants.activity_id,
        participants.participant_id as user_id,
        users.role as user_role,
        users.team,
        coalesce(users.role = getvariable('executive_role'), false) as is_executive,
        coalesce(users.role = getvariable('engineer_role'), false) as is_engineer
    from participants
    left join users on users.user_id = participants.participant_id
)

select * from final
