/**
 * A deal's top factors in a sales manager's words, with the deal's own values: "Owner has won 12 of
 * 30 closed deals (40%)" rather than the feature's formula. The scoring stage stores each factor as
 * "<catalog label> (+12.4 pts)"; the label names the feature, the deal's `features_score` row gives
 * the value. A feature without a sentence here is said as its label and its value in its unit.
 */
import { FEATURES } from '../../../pipeline/features/catalog.ts';
import { plainLabel } from '../../../pipeline/features/plain-label.ts';
import { formatAmount } from '../components/format.ts';
import type { DealFactor } from '../components/types.ts';

type Values = Record<string, number | null>;

const FEATURE_BY_LABEL = new Map([
  ...FEATURES.map((feature) => [plainLabel(feature.name), feature.name] as const),
  [plainLabel('stage'), 'stage'] as const,
]);
const UNIT_BY_FEATURE = new Map(FEATURES.map((feature) => [feature.name, feature.unit]));

const whole = (value: number) => Math.round(value).toLocaleString('en-US');
const pct = (value: number) => `${Math.round(100 * value)}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${whole(n)} ${Math.round(n) === 1 ? one : many}`;
const yes = (value: number) => value >= 0.5;
/** A stored ln(1 + amount) as an amount: 173.8K. */
const money = (log: number) => formatAmount(Math.max(0, Math.exp(log) - 1));
/** Keys of the owner's real counts (ownerRecords.ts) beside the deal's features in `Values`. */
export const OWNER_WON = 'owner_won';
export const OWNER_CLOSED = 'owner_closed';
/** The counts behind a smoothed rate (won + 1) / (closed + 2). */
const wonOf = (rate: number, closed: number) => Math.max(0, Math.round(rate * (closed + 2) - 1));

/** Per feature: the sentence for this deal's value (and, where it helps, other columns of its row). */
const SENTENCES: Record<string, (value: number, row: Values) => string> = {
  ecm_employee_owner_win_rate: (rate, row) => {
    const won = row[OWNER_WON];
    const closed = row[OWNER_CLOSED];
    if (won == null || closed == null) return `Owner's win rate so far: ${pct(rate)}`;
    return `Owner has won ${whole(won)} of ${plural(closed, 'closed deal')}${closed > 0 ? ` (${pct(won / closed)})` : ''}`;
  },
  ecm_key_person_max_strength: (v) => `Strongest tie on the deal: ${v.toFixed(1)} strength points`,
  ecm_key_person_total_strength: (v) => `All ties on the deal together: ${v.toFixed(1)} strength points`,
  ecm_key_person_decision_maker_strength: (v) =>
    v > 0 ? `Tie to the decision maker: ${v.toFixed(1)} strength points` : 'No tie to a decision maker',
  ecm_key_person_champion_strength: (v) =>
    v > 0 ? `Tie to the champion: ${v.toFixed(1)} strength points` : 'No tie to a champion',
  ecm_key_person_economic_buyer_strength: (v) =>
    v > 0 ? `Tie to the economic buyer: ${v.toFixed(1)} strength points` : 'No tie to the economic buyer',
  ecm_key_person_weakest_required_tie: (v) => `Weakest tie among the buying roles: ${v.toFixed(1)} strength points`,
  ecm_key_person_supporter_share: (share) => `${pct(share)} of our relationship strength sits with supporters`,
  ecm_employee_owner_tie: (v) => `Owner's own best tie to someone on the deal: ${v.toFixed(1)} strength points`,
  ecm_employee_best_colleague_tie: (v) =>
    v > 0
      ? `A colleague knows someone on the deal: tie ${v.toFixed(1)} strength points`
      : 'No colleague knows anyone on the deal',
  ecm_employee_owner_closed_deals: (n) => `Owner has closed ${plural(n, 'deal')} before`,
  ecm_account_win_rate: (rate, row) => {
    const won = row['ecm_account_past_won'];
    const lost = row['ecm_account_past_lost'];
    return won != null && lost != null
      ? `We have won ${whole(won)} of ${plural(won + lost, 'closed deal')} with this account`
      : `Win rate with this account: ${pct(rate)}`;
  },
  ecm_account_past_won: (n) => `${plural(n, 'deal')} won with this account before`,
  ecm_account_past_lost: (n) => `${plural(n, 'deal')} lost with this account before`,
  ecm_account_customer_days: (days) =>
    days > 0
      ? `Customer for ${plural(days / 365.25 >= 1 ? days / 365.25 : days / 30.4, days / 365.25 >= 1 ? 'year' : 'month')}`
      : 'Not a customer yet',
  ecm_account_activities_90d: (n) => `${plural(n, 'interaction')} with the account in the last 90 days`,
  ecm_account_contacts_engaged_365d: (n) => `${plural(n, 'contact')} at the account engaged in the last year`,
  ecm_account_executive_contacts_365d: (n) =>
    `${plural(n, 'VP or C-level contact')} at the account engaged in the last year`,
  ecm_chain_single_threaded: (v) =>
    yes(v) ? 'Single-threaded: the deal hangs on one engaged contact or none' : 'More than one contact engaged',
  ecm_chain_engaged_contacts: (n) => `${plural(n, 'contact')} engaged on the deal`,
  ecm_chain_roles_known: (n) => `${whole(n)} of the 6 buying roles known`,
  ecm_chain_roles_engaged: (n) => `${whole(n)} of the 6 buying roles engaged`,
  ecm_chain_has_economic_buyer: (v) => (yes(v) ? 'Economic buyer known' : 'No economic buyer known'),
  ecm_chain_decision_maker_engaged: (v) => (yes(v) ? 'Decision maker engaged' : 'Decision maker not engaged'),
  ecm_chain_blockers: (n) =>
    n > 0 ? `${plural(n, 'blocker or opponent', 'blockers or opponents')} on the deal` : 'No blocker on the deal',
  ecm_chain_departments: (n) => `${plural(n, 'department')} of the customer reached`,
  ecm_chain_max_seniority: (rank) =>
    `Highest seniority reached: ${['nobody', 'staff', 'manager', 'director', 'VP', 'C-level'][Math.round(rank)] ?? whole(rank)}`,
  ecm_company_executive_involved: (v) =>
    yes(v) ? 'One of our executives is involved' : 'None of our executives is involved',
  ecm_company_partner_sourced: (v) => (yes(v) ? 'A partner brought the deal' : 'Not partner-sourced'),
  ecm_company_account_touches: (n) => `${plural(n, 'account-level interaction')} outside any deal in the last year`,
  ecm_company_teams_engaged: (n) =>
    `${plural(n, 'of our teams', 'of our teams')} engaged with the account in the last year`,
  ecm_competitor_count: (n) => (n > 0 ? `${plural(n, 'competitor')} on the deal` : 'No competitor recorded'),
  ecm_competitor_incumbent: (v) => (yes(v) ? 'A competitor is the incumbent' : 'No incumbent competitor'),
  ecm_competitor_win_rate_against: (rate) => `We win about ${pct(rate)} against these competitors`,
  ecm_competitor_weakest_win_rate: (rate) => `We win about ${pct(rate)} against the toughest competitor here`,
  ecm_employee_colleagues_with_ties: (n) => `${plural(n, 'colleague')} besides the owner know people on the deal`,
  ecm_employee_owner_account_wins: (n) => `Owner has won ${plural(n, 'deal')} with this account`,
  pbm_people_our_team_size: (n) => `${plural(n, 'of our people', 'of our people')} working the deal`,
  pbm_people_stakeholders: (n) => `${plural(n, 'contact')} with a role on the deal`,
  pbm_people_engineer_involved: (v) => (yes(v) ? 'A sales engineer is involved' : 'No sales engineer involved'),
  pbm_people_owner_open_deals: (n) => `Owner carries ${plural(n, 'open deal')}`,
  pbm_people_owner_tenure_days: (days) => `Owner hired ${plural(days / 365.25, 'year')} ago`,
  pbm_money_log_amount: (log) => `The rep's amount: ${money(log)}`,
  ecm_account_log_revenue: (log) =>
    log > 0 ? `We have won ${money(log)} from this account before` : 'Nothing won from this account yet',
  pbm_similar_log_median_amount: (log) => `Similar won deals closed at about ${money(log)}`,
  pbm_money_discount: (share) => `Average discount ${pct(share)}`,
  pbm_money_amount_revisions: (n) => `Amount changed ${plural(n, 'time')}`,
  pbm_money_amount_vs_segment: (log) => `Amount is ${ratioWords(Math.exp(log))} the segment's typical won deal`,
  pbm_money_amount_vs_account: (log) => `Amount is ${ratioWords(Math.exp(log))} this account's typical won deal`,
  pbm_money_amount_change: (log) =>
    Math.abs(log) < 0.01
      ? 'Amount unchanged since first entered'
      : `Amount ${log > 0 ? 'up' : 'down'} ${pct(Math.abs(Math.exp(log) - 1))} since first entered`,
  pbm_things_is_renewal: (v) => (yes(v) ? 'A renewal' : 'Not a renewal'),
  pbm_things_is_upsell: (v) => (yes(v) ? 'An upsell to an existing customer' : 'Not an upsell'),
  pbm_things_new_product_for_account: (v) =>
    yes(v) ? 'A product line the account has not bought before' : 'A product line the account already buys',
  pbm_things_product_win_rate: (rate) => `This product line wins about ${pct(rate)} of its deals`,
  pbm_things_line_items: (n) => `${plural(n, 'line item')} quoted`,
  pbm_sentiment_supporter_share: (share) => `${pct(share)} of the contacts with a role support us`,
  pbm_sentiment_opponent_share: (share) => `${pct(share)} of the contacts with a role oppose the deal`,
  pbm_sentiment_inbound_share: (share) => `The customer started ${pct(share)} of the interactions`,
  pbm_sentiment_momentum: (ratio) => `Activity in the last 30 days is ${ratioWords(ratio)} the months before`,
  pbm_sentiment_days_since_customer_contact: (days) => `Customer last reached out ${plural(days, 'day')} ago`,
  pbm_timing_deal_age_days: (days) => `Deal is ${plural(days, 'day')} old`,
  pbm_timing_days_in_stage: (days) => `${plural(days, 'day')} in the current stage`,
  pbm_timing_stage_vs_norm: (ratio) => `In this stage ${ratioWords(ratio)} as long as won deals were`,
  pbm_timing_age_vs_norm: (ratio) => `Deal age is ${ratioWords(ratio)} the typical won cycle`,
  pbm_timing_close_pushes: (n) => (n > 0 ? `Close date pushed ${plural(n, 'time')}` : 'Close date never pushed'),
  pbm_timing_stage_regressions: (n) => (n > 0 ? `Moved back a stage ${plural(n, 'time')}` : 'Never moved back a stage'),
  pbm_timing_days_to_expected_close: (days) =>
    days >= 0
      ? `Rep expects to close in ${plural(days, 'day')}`
      : `Rep's close date passed ${plural(-days, 'day')} ago`,
  pbm_timing_close_in_quarter: (v) =>
    yes(v) ? 'Rep expects to close within 3 months' : "Rep's close date is not within the next 3 months",
  pbm_timing_days_since_activity: (days) => `Last activity ${plural(days, 'day')} ago`,
  pbm_similar_win_rate: (rate, row) => {
    const found = row['pbm_similar_deals'];
    return found != null && found > 0
      ? `Similar past deals: won ${whole(wonOf(rate, found))} of ${whole(found)}`
      : `Similar past deals win about ${pct(rate)}`;
  },
  pbm_similar_median_cycle_days: (days) => `Similar past deals took ${plural(days, 'day')} to close`,
  pbm_similar_amount_vs_similar: (log) => `Amount is ${ratioWords(Math.exp(log))} similar won deals`,
  pbm_similar_source_win_rate: (rate) => `Deals from this lead source win about ${pct(rate)}`,
};

/** A label without the smoothing formula it states for engineers ("(won + 1) / (closed + 2)"). */
function withoutFormula(label: string): string {
  return label
    .replace(/,?\s*smoothed:?/g, '')
    .replace(/,?\s*\(won \+ 1\) \/ \([a-z]+ \+ 2\),?/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** 0.5 -> "half", 2.3 -> "2.3 times", 1.02 -> "about the same as". */
function ratioWords(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'unlike';
  if (ratio > 0.9 && ratio < 1.1) return 'about the same as';
  if (ratio < 1) return `${pct(ratio)} of`;
  return `${ratio.toFixed(1)} times`;
}

/** The value in its catalog unit, for a feature without a sentence. */
function valueInUnit(feature: string, value: number): string {
  const unit = UNIT_BY_FEATURE.get(feature) ?? '';
  if (unit === 'share') return pct(value);
  if (unit === 'yes = 1') return yes(value) ? 'yes' : 'no';
  if (unit === 'ln(currency)') return money(value);
  if (unit.startsWith('ln(')) return `${Math.exp(value).toFixed(1)} times`;
  return `${Number.isInteger(value) ? whole(value) : value.toFixed(1)}${unit && unit !== 'ratio' ? ` ${unit}` : ''}`;
}

/** One stored factor, "<label> (+12.4 pts)", said with the deal's value. */
export function factorInWords(text: string, values: Values): DealFactor {
  const match = /^(.*) \(([+−-])(\d+(?:\.\d+)?) pts\)$/.exec(text.trim());
  const label = match ? match[1]! : text.trim();
  const points = match ? (match[2] === '+' ? 1 : -1) * Number(match[3]) : null;
  const feature = FEATURE_BY_LABEL.get(label) ?? null;
  const value = feature ? values[feature] : null;
  let words = withoutFormula(label);
  if (feature && value != null)
    words = SENTENCES[feature]?.(value, values) ?? `${label}: ${valueInUnit(feature, value)}`;
  return { text: words, points, feature };
}

/** The stored list ("; "-separated, or a JSON array) as sentences. */
export function factorsInWords(stored: string | null, values: Values): DealFactor[] {
  if (!stored) return [];
  let items: string[];
  try {
    const parsed: unknown = JSON.parse(stored);
    items = Array.isArray(parsed)
      ? parsed.map((item) => (typeof item === 'string' ? item : String((item as { label?: string }).label ?? '')))
      : [stored];
  } catch {
    items = stored.split(/;\s+/);
  }
  return items.filter(Boolean).map((item) => factorInWords(item, values));
}

export const FACTOR_FEATURES = FEATURES.map((feature) => feature.name);
