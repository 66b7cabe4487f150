-- One row per observation (deal x as-of date): the ECM and PBM features, the CRM's own view (stage,
-- stage probability, rep amount and close date) as of that date, the deal's own categorical attributes,
-- and, for training rows, the outcome. Amounts of 0 or below count as 1 wherever a log or a ratio is
-- taken, so that no value is infinite and no model fails on a $0 deal.
-- Every feature is defined once in pipeline/features/catalog.ts.
with

observed as (select * from int_observed_deals),
state as (select * from int_deal_state),
buying_group as (select * from int_buying_group),
activity as (select * from int_deal_activity),
account as (select * from int_account_history),
owner as (select * from int_owner_history),
colleagues as (select * from int_colleague_ties),
competition as (select * from int_competitor_history),
similar_deals as (select * from int_similar_deals),
norms as (select * from int_norms),
items as (select * from int_line_items),
closes as (select * from int_deal_closes),

final as (
    select
        -- keys and the CRM's own view as of the date
        observed.opportunity_id,
        observed.as_of,
        observed.purpose,
        observed.account_id,
        observed.owner_id,
        state.stage,
        state.stage_probability,
        state.amount,
        state.expected_close_date,

        -- the deal's own attributes as the export gives them (text: categorical model inputs)
        observed.segment,
        observed.industry,
        observed.region,
        observed.product_line,
        observed.lead_source,
        observed.type,

        -- outcome (training rows only): won, final amount and actual close date
        case when observed.purpose = 'train' then closes.won end as won,
        case when observed.purpose = 'train' then closes.final_amount end as final_amount,
        case when observed.purpose = 'train' then closes.closed_on end as close_date,
        -- the same outcome under the names the win model reads
        case when observed.purpose = 'train' then closes.won end as label_won,
        case when observed.purpose = 'train' then closes.closed_on end as final_close_date,

        -- ECM 1: key-person relationship
        coalesce(buying_group.max_strength, 0)::double as ecm_key_person_max_strength,
        coalesce(buying_group.total_strength, 0)::double as ecm_key_person_total_strength,
        coalesce(buying_group.decision_maker_strength, 0)::double as ecm_key_person_decision_maker_strength,
        coalesce(buying_group.champion_strength, 0)::double as ecm_key_person_champion_strength,
        coalesce(buying_group.economic_buyer_strength, 0)::double as ecm_key_person_economic_buyer_strength,
        buying_group.weakest_required_tie::double as ecm_key_person_weakest_required_tie,
        (coalesce(buying_group.supporter_strength, 0) / nullif(buying_group.total_strength, 0))::double as ecm_key_person_supporter_share,

        -- ECM 2: decision-chain relationship
        coalesce(buying_group.roles_known, 0)::double as ecm_chain_roles_known,
        coalesce(buying_group.roles_engaged, 0)::double as ecm_chain_roles_engaged,
        coalesce(buying_group.engaged_contacts, 0)::double as ecm_chain_engaged_contacts,
        (coalesce(buying_group.engaged_contacts, 0) <= 1)::double as ecm_chain_single_threaded,
        coalesce(buying_group.max_seniority_engaged, 0)::double as ecm_chain_max_seniority,
        coalesce(buying_group.departments_engaged, 0)::double as ecm_chain_departments,
        coalesce(buying_group.blockers, 0)::double as ecm_chain_blockers,
        coalesce(buying_group.has_economic_buyer, 0)::double as ecm_chain_has_economic_buyer,
        coalesce(buying_group.decision_maker_engaged, 0)::double as ecm_chain_decision_maker_engaged,

        -- ECM 3: customer (account) relationship
        account.past_won::double as ecm_account_past_won,
        account.past_lost::double as ecm_account_past_lost,
        ((account.past_won + 1) / (account.past_won + account.past_lost + 2))::double as ecm_account_win_rate,
        ln(1 + greatest(account.revenue_to_date, 0))::double as ecm_account_log_revenue,
        account.customer_days::double as ecm_account_customer_days,
        account.activities_90d::double as ecm_account_activities_90d,
        account.contacts_365d::double as ecm_account_contacts_engaged_365d,
        account.executive_contacts_365d::double as ecm_account_executive_contacts_365d,

        -- ECM 4: employee relationship
        ((owner.owner_won + 1) / (owner.owner_closed + 2))::double as ecm_employee_owner_win_rate,
        owner.owner_closed::double as ecm_employee_owner_closed_deals,
        coalesce(colleagues.owner_tie, 0)::double as ecm_employee_owner_tie,
        coalesce(colleagues.best_colleague_tie, 0)::double as ecm_employee_best_colleague_tie,
        coalesce(colleagues.colleagues_with_ties, 0)::double as ecm_employee_colleagues_with_ties,
        account.owner_past_won::double as ecm_employee_owner_account_wins,

        -- ECM 5: our-company relationship
        activity.executive_involved::double as ecm_company_executive_involved,
        account.executive_touches_365d::double as ecm_company_executive_touches_365d,
        account.teams_365d::double as ecm_company_teams_engaged,
        account.account_touches_365d::double as ecm_company_account_touches,
        coalesce(observed.lead_source = 'partner', false)::double as ecm_company_partner_sourced,

        -- ECM 6: competitor relationship
        coalesce(competition.competitors, 0)::double as ecm_competitor_count,
        coalesce(competition.incumbent, 0)::double as ecm_competitor_incumbent,
        competition.win_rate_against::double as ecm_competitor_win_rate_against,
        competition.weakest_win_rate::double as ecm_competitor_weakest_win_rate,
        coalesce(competition.past_encounters, 0)::double as ecm_competitor_past_encounters,

        -- PBM people
        activity.our_people::double as pbm_people_our_team_size,
        coalesce(buying_group.stakeholders, 0)::double as pbm_people_stakeholders,
        activity.engineer_involved::double as pbm_people_engineer_involved,
        owner.owner_tenure_days::double as pbm_people_owner_tenure_days,
        owner.owner_open_deals::double as pbm_people_owner_open_deals,

        -- PBM money
        ln(greatest(state.amount, 1))::double as pbm_money_log_amount,
        ln(greatest(state.amount, 1) / greatest(norms.median_won_amount, 1))::double as pbm_money_amount_vs_segment,
        ln(greatest(state.amount, 1) / greatest(account.median_won_amount, 1))::double as pbm_money_amount_vs_account,
        state.amount_revisions::double as pbm_money_amount_revisions,
        ln(greatest(state.amount, 1) / greatest(state.first_amount, 1))::double as pbm_money_amount_change,
        items.average_discount::double as pbm_money_discount,

        -- PBM things
        coalesce(items.line_items, 0)::double as pbm_things_line_items,
        coalesce(items.distinct_products, 0)::double as pbm_things_distinct_products,
        coalesce(observed.type = 'renewal', false)::double as pbm_things_is_renewal,
        coalesce(observed.type = 'upsell', false)::double as pbm_things_is_upsell,
        (account.product_past_won = 0)::double as pbm_things_new_product_for_account,
        similar_deals.product_win_rate::double as pbm_things_product_win_rate,

        -- PBM sentiment
        (coalesce(buying_group.supporters, 0) / greatest(coalesce(buying_group.stakeholders, 0), 1))::double as pbm_sentiment_supporter_share,
        (coalesce(buying_group.blockers, 0) / greatest(coalesce(buying_group.stakeholders, 0), 1))::double as pbm_sentiment_opponent_share,
        activity.inbound_share::double as pbm_sentiment_inbound_share,
        (activity.activities_30d / (activity.activities_30_90d / 2 + 1))::double as pbm_sentiment_momentum,
        datediff('day', activity.last_inbound_on, observed.as_of)::double as pbm_sentiment_days_since_customer_contact,

        -- PBM timing
        state.stage_index::double as pbm_timing_stage_index,
        datediff('day', observed.created_date, observed.as_of)::double as pbm_timing_deal_age_days,
        datediff('day', state.stage_entered_on, observed.as_of)::double as pbm_timing_days_in_stage,
        (datediff('day', state.stage_entered_on, observed.as_of) / case when norms.median_days_in_stage is not null then greatest(norms.median_days_in_stage, 1) end)::double as pbm_timing_stage_vs_norm,
        (datediff('day', observed.created_date, observed.as_of) / case when norms.median_won_cycle_days is not null then greatest(norms.median_won_cycle_days, 1) end)::double as pbm_timing_age_vs_norm,
        state.close_pushes::double as pbm_timing_close_pushes,
        state.stage_regressions::double as pbm_timing_stage_regressions,
        datediff('day', observed.as_of, state.expected_close_date)::double as pbm_timing_days_to_expected_close,
        coalesce(datediff('day', observed.as_of, state.expected_close_date) between 0 and 91, false)::double as pbm_timing_close_in_quarter, -- same meaning on any day of a quarter
        datediff('day', coalesce(activity.last_activity_on, observed.created_date), observed.as_of)::double as pbm_timing_days_since_activity,

        -- PBM similar past projects
        similar_deals.similar_deals::double as pbm_similar_deals,
        similar_deals.similar_win_rate::double as pbm_similar_win_rate,
        similar_deals.median_cycle_days::double as pbm_similar_median_cycle_days,
        ln(greatest(similar_deals.median_won_amount, 1))::double as pbm_similar_log_median_amount,
        ln(greatest(state.amount, 1) / greatest(similar_deals.median_won_amount, 1))::double as pbm_similar_amount_vs_similar,
        similar_deals.source_win_rate::double as pbm_similar_source_win_rate
    from observed
    left join state using (opportunity_id, as_of)
    left join buying_group using (opportunity_id, as_of)
    left join activity using (opportunity_id, as_of)
    left join account using (opportunity_id, as_of)
    left join owner using (opportunity_id, as_of)
    left join colleagues using (opportunity_id, as_of)
    left join competition using (opportunity_id, as_of)
    left join similar_deals using (opportunity_id, as_of)
    left join norms using (opportunity_id, as_of)
    left join items using (opportunity_id, as_of)
    left join closes using (opportunity_id)
)

select * from final
