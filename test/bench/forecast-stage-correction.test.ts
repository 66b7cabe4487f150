import { describe, expect, it } from 'vitest';
import { type StartDeal, stageCorrected } from '../../bench/forecast-stage-correction.ts';

const deal = (
  quarter: string,
  stage: string,
  won: boolean | null,
  winProbability = 0.25,
  closedOn: string | null = won === null ? null : '2026-02-15',
): StartDeal => ({ quarter, stage, winProbability, closeInPeriod: 1, expectedAmount: 100, won, closedOn });

describe('the per-stage correction, learned out of time', () => {
  // Q1: four Prospecting deals at 0.25 of which two were won (x2 in that stage), one Negotiation deal at 0.8, won;
  // one more Prospecting deal, lost only after Q2 started: Q2's correction cannot know it yet
  const q1 = [
    ...[true, true, false, false].map((won) => deal('Q1', 'Prospecting', won)),
    deal('Q1', 'Negotiation', true, 0.8),
    deal('Q1', 'Prospecting', false, 0.25, '2026-04-20'),
  ];
  // Q2: two Prospecting deals at 0.25, one Negotiation deal at 0.9, and a stage Q1 never saw
  const q2 = [
    deal('Q2', 'Prospecting', null),
    deal('Q2', 'Prospecting', null),
    deal('Q2', 'Negotiation', null, 0.9),
    deal('Q2', 'Proposal', null, 0.5),
  ];
  const totals = [
    { quarter: 'Q1', start: '2026-01-01', actual: 300, expected: 180, weightedPipeline: 250 },
    { quarter: 'Q2', start: '2026-04-01', actual: 300, expected: 250, weightedPipeline: 260 },
  ];
  const [first, second] = stageCorrected(totals, [...q1, ...q2]);

  it('leaves the first quarter alone: it has no past', () => {
    expect(first!.hasPast).toBe(false);
    expect(first!.corrected).toBe(180);
  });

  it('scales each stage by the earlier quarters’ won / expected among those closed before it, capped at 1, and keeps unseen stages', () => {
    expect(second!.hasPast).toBe(true);
    // Prospecting 0.25 x 2 = 0.5 (two deals: +50 in all); Negotiation 0.9 x 1.25 capped at 1 (+10); Proposal kept
    expect(second!.corrected).toBeCloseTo(250 + 50 + 10, 9);
  });
});
