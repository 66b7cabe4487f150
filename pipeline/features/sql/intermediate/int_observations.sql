-- The dates at which each deal is observed. Training: closed deals at creation + `first_look_days`,
-- at each stage entry (if `stage_entries`) and every `spacing_days` while open; a deal that closed
-- before any of those dates is observed at its creation, so that short deals (which win at another
-- rate) are in the sample too. Scoring: open deals at
-- the run's as-of date. The same feature models then run over both. A night that does not retrain
-- builds the scoring observations only (`with_training` false).
with

deals as (
    select opportunities.opportunity_id, opportunities.created_date, closes.closed_on
    from opportunities
    left join int_deal_closes as closes using (opportunity_id)
    where opportunities.created_date <= getvariable('as_of')
),

-- at most `max_training_deals` closed deals are observed for training, drawn by an MD5 of the id
-- (the sample models/win/data.ts reads), so the training table stays bounded on a long history
closed as (
    select * from deals
    where closed_on <= getvariable('as_of')
    order by md5(opportunity_id), opportunity_id
    limit getvariable('max_training_deals')
),

stage_entries as (
    select opportunity_id, changed_at as as_of
    from stg_opportunity_history
    where not is_closed and getvariable('stage_entries')
    qualify stage is distinct from lag(stage) over (partition by opportunity_id order by changed_at)
),

training_dates as (
    select opportunity_id, created_date + getvariable('first_look_days') as as_of from closed
    union
    select opportunity_id, as_of from stage_entries where opportunity_id in (select opportunity_id from closed)
    union
    select opportunity_id, (created_date + step::integer) as as_of
    from (select *, unnest(range(getvariable('spacing_days'), datediff('day', created_date, closed_on), getvariable('spacing_days'))) as step from closed)
),

within_life as (
    select training_dates.opportunity_id, training_dates.as_of
    from training_dates
    join closed using (opportunity_id)
    where getvariable('with_training') and training_dates.as_of >= closed.created_date and training_dates.as_of < closed.closed_on
),

-- closed before its first look (and after the day it was created): seen once, at creation
short_deals as (
    select opportunity_id, created_date as as_of
    from closed
    where getvariable('with_training') and closed_on > created_date
      and opportunity_id not in (select opportunity_id from within_life)
),

training as (
    select opportunity_id, as_of, 'train' as purpose from within_life
    union all
    select opportunity_id, as_of, 'train' as purpose from short_deals
),

scoring as (
    select opportunity_id, getvariable('as_of')::date as as_of, 'score' as purpose
    from deals
    where closed_on is null or closed_on > getvariable('as_of')
),

final as (
    select * from training
    union all
    select * from scoring
)

select * from final
