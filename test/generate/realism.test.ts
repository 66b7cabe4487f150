import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  measureDefault,
  README_PATH,
  renderRealism,
  withFigures,
  type RealismFigures,
} from '../../pipeline/generate/realism.ts';

describe('generator realism, measured on the default data set', () => {
  let figures: RealismFigures;
  beforeAll(async () => {
    figures = await measureDefault();
  });

  it('has a B2B win rate and a narrowing stage funnel', () => {
    expect(figures.winRate).toBeGreaterThanOrEqual(0.2);
    expect(figures.winRate).toBeLessThanOrEqual(0.35);
    const reached = figures.funnel.map((s) => s.reached);
    expect(reached[0]).toBe(figures.closed);
    for (let i = 1; i < reached.length; i++) expect(reached[i]).toBeLessThan(reached[i - 1]!);
  });

  it('has long-tailed cycles, longest in enterprise, and heavy-tailed deal sizes', () => {
    const cycle = Object.fromEntries(figures.cycle.map((r) => [r['segment'], r]));
    expect(Number(cycle['enterprise']!['median'])).toBeGreaterThan(Number(cycle['mid_market']!['median']));
    expect(Number(cycle['mid_market']!['median'])).toBeGreaterThan(Number(cycle['smb']!['median']));
    for (const r of figures.cycle) {
      expect(Number(r['mean'])).toBeGreaterThan(Number(r['median']));
      expect(Number(r['p99']) / Number(r['median'])).toBeGreaterThan(2.5);
    }
    const all = figures.dealSize.find((r) => r['segment'] === 'all')!;
    expect(Number(all['mean']) / Number(all['median'])).toBeGreaterThan(1.8);
    expect(Number(all['p99']) / Number(all['median'])).toBeGreaterThan(10);
  });

  it('shows more activity on won deals than on lost ones in every segment', () => {
    for (const segment of ['enterprise', 'mid_market', 'smb']) {
      const won = figures.activitiesPerDeal.find((r) => r['segment'] === segment && r['outcome'] === 'won')!;
      const lost = figures.activitiesPerDeal.find((r) => r['segment'] === segment && r['outcome'] === 'lost')!;
      expect(Number(won['per_week'])).toBeGreaterThan(Number(lost['per_week']));
    }
    expect(figures.oracleAuc).toBeGreaterThan(0.8);
  });

  it('is what pipeline/generate/README.md shows (run `npx tsx pipeline/generate/realism.ts` to refresh)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(withFigures(readme, renderRealism(figures)));
  });
});
