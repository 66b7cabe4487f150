/**
 * The "untidy reps" variant of the generator (`wuwei generate --untidy-reps`): the same deals with
 * the same true outcomes, amounts and dates, but the rep-entered fields are as untidy as sales-ops
 * studies report. Only what a rep types changes: the stage shown, the amount, the expected close
 * date. Its draws come from their own random stream, so the tidy and untidy exports of one seed
 * hold the very same deals (and ground truth), and only the CRM's view of them differs.
 *
 * Figures and where they come from (an assumption where no study gives the number):
 * - Close dates slip: CSO Insights reports up to 24% of forecast deals ending the quarter in "no
 *   decision", up to three quarters of them through close-date slippage (~18% of forecast deals;
 *   https://occulusinc.com/sn-vp-sales/sn-vp-deal-slippage). Here the rep's first date is
 *   ~30% shorter than the planned cycle (tidy: ~14%) and each lapse is pushed by 14-35 days (tidy
 *   25-60), so dates slip again and again in small steps, the "pushed by 30 days in two
 *   consecutive months" pattern (https://futuremanlabs.com/blog/sales-forecast-accuracy). The sizes
 *   are assumptions; the slip rate they produce is measured in BENCHMARKS.md.
 * - Stages are inflated mid-funnel: "only 46% of forecasted deals actually close" and mid-pipeline
 *   deals are inflated (CSO Insights, via https://rathvane.ai/blog/sales-forecasting-accuracy.html).
 *   Here 30% of deals (assumption) are shown one stage ahead of where they are, up to Proposal.
 * - Amounts are optimistic and stale: first amounts run high and are "left at a placeholder from the
 *   first conversation and never updated" (futuremanlabs, above; "the incredible shrinking deal",
 *   https://moicpartners.com/ahead-of-the-curve/theincredibleshrinkingdeal). Here the first amount
 *   is the need x e^(0.30 + N(0, 0.5)) (tidy: e^(0.12 + N(0, 0.45))) and 40% of deals (assumption)
 *   are never revised at Proposal.
 */
import { OPEN_STAGES } from './process.ts';
import { Random } from '../base/random.ts';

/** How one rep keeps one deal. */
export interface RepHabits {
  /** Stages the deal is shown ahead of its real stage (0 or 1), never past Proposal by inflation. */
  stageInflation: number;
  /** Whether the rep revises the amount at Proposal. */
  revisesAmount: boolean;
  /** ln of the rep's optimism on the first amount, added to the need's log. */
  firstAmountLog: number;
  /** The first expected close date as a share of the planned cycle. */
  firstCloseShare: number;
  /** Days each lapsed close date is pushed by. */
  pushDays: () => number;
}

export const UNTIDY = {
  stageInflationShare: 0.3,
  neverRevisedShare: 0.4,
  amountBias: 0.3,
  amountSigma: 0.5,
  closeLogMean: -0.35,
  closeLogSigma: 0.35,
  pushDays: [14, 35],
} as const;

/** The highest stage an inflated deal is shown in (Proposal): reps inflate mid-funnel, not into Negotiation. */
const HIGHEST_INFLATED_STAGE = OPEN_STAGES.findIndex((stage) => stage.name === 'Proposal');

/** Draws untidy habits for each deal from a stream of its own. */
export function untidyHabits(seed: number): () => RepHabits {
  const random = new Random((seed ^ 0x5eed5) >>> 0);
  return () => ({
    stageInflation: random.bernoulli(UNTIDY.stageInflationShare) ? 1 : 0,
    revisesAmount: !random.bernoulli(UNTIDY.neverRevisedShare),
    firstAmountLog: UNTIDY.amountBias + random.normal(0, UNTIDY.amountSigma),
    firstCloseShare: random.logNormal(UNTIDY.closeLogMean, UNTIDY.closeLogSigma),
    pushDays: () => random.uniform(UNTIDY.pushDays[0], UNTIDY.pushDays[1]),
  });
}

/** The stage a rep shows for a deal really in stage `stage`. */
export function shownStage(stage: number, habits: RepHabits | undefined): number {
  if (!habits || habits.stageInflation === 0 || stage >= HIGHEST_INFLATED_STAGE) return stage;
  return Math.min(stage + habits.stageInflation, HIGHEST_INFLATED_STAGE);
}
