-- Which customer contacts took part in each activity.
select activity_id, participant_id as contact_id
from activity_participants
where participant_type = 'contact'
