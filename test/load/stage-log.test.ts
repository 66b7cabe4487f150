/**
 * The load's lines about stages name a few and count the rest: an export with a stage per deal
 * ("Stage 001" ... "Stage 999", a deal number typed into the stage) wrote a warning of 23,000
 * characters and an info line of 12,000, every night. Table crm_stages keeps every stage.
 */
import { describe, expect, it } from 'vitest';
import { logStages, type StageSummary } from '../../pipeline/load/mapping/stage-list.ts';

describe('the stage lines of the load log', () => {
  it('name at most 20 stages and count the rest', () => {
    const stages = Array.from({ length: 1000 }, (_, i) => `Stage ${String(i + 1).padStart(3, '0')}`);
    const summary: StageSummary = {
      from: 'inferred',
      open: stages,
      won: ['Closed Won'],
      lost: ['Closed Lost'],
      unlisted: stages.map((stage) => ({ stage, deals: 1 })),
    };
    const lines: string[] = [];
    logStages(summary, { info: (message) => lines.push(message), warn: (message) => lines.push(message) });
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThan(1000);
    expect(lines[0]).toMatch(
      /^stages from .*: open Stage 001 > .* > Stage 020 > … and 980 more \(table crm_stages\); won Closed Won; lost Closed Lost$/,
    );
    expect(lines[1]).toMatch(/'Stage 020' \(1 deal\), … and 980 more \(table crm_stages\); give the stage file/);
  });

  it('name every stage of a short list', () => {
    const lines: string[] = [];
    logStages(
      {
        from: 'inferred',
        open: ['Discovery', 'Découverte'],
        won: ['Closed Won'],
        lost: [],
        unlisted: [{ stage: 'Découverte', deals: 3 }],
      },
      { info: (message) => lines.push(message), warn: (message) => lines.push(message) },
    );
    expect(lines[0]).toBe(
      "stages from the deals' closed/won flags, probabilities and history: open Discovery > Découverte; won Closed Won; lost none",
    );
    expect(lines[1]).toMatch(/: 'Découverte' \(3 deals\); give the stage file/);
  });
});
