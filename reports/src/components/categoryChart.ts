import type { TopLevelSpec } from 'vega-lite';
import { AMOUNT_AXIS, BASE_CONFIG, chartTitle, FORMAT, MEASURES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { CategoryForecast } from './types.js';

const CATEGORY_LABELS: Record<string, string> = { commit: 'Commit', best_case: 'Best case', pipeline: 'Pipeline', omitted: 'Omitted', none: 'No category' };

/** The rep's forecast categories: what the reps put in each (rep amount) against what Wuwei expects of the same deals. */
export function categoryChart(rows: CategoryForecast[], options: ChartSize & { currency: string }): TopLevelSpec {
  const labels = rows.map((r) => CATEGORY_LABELS[r.category] ?? r.category);
  const rep = "Rep amount in the category";
  const series = [rep, MEASURES.expected.label];
  const values = rows.flatMap((r) => {
    const category = CATEGORY_LABELS[r.category] ?? r.category;
    const share = r.unweighted ? r.expected / r.unweighted : 0;
    return [
      { category, series: rep, amount: r.unweighted, deals: r.deals, share },
      { category, series: series[1], amount: r.expected, deals: r.deals, share },
    ];
  });
  const amount = `Amount (${options.currency})`;
  const size = sizing(options, { width: 460, height: Math.max(2, rows.length) * 44 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: "Grouped horizontal bars per rep forecast category (commit, best case, pipeline): the rep-entered amount of the deals in the category next to Wuwei's expected bookings for the same deals.",
    title: chartTitle("Rep forecast categories vs Wuwei", "Open deals by the category the rep chose; grey: their amount, blue: what Wuwei expects them to bring.", size.width),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'category', type: 'nominal', sort: labels, title: null },
      yOffset: { field: 'series', type: 'nominal', sort: series },
      x: { field: 'amount', type: 'quantitative', title: amount, axis: AMOUNT_AXIS },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: [MEASURES.unweighted.color, MEASURES.expected.color] } },
      tooltip: [
        { field: 'category', type: 'nominal', title: 'Rep category' },
        { field: 'series', type: 'nominal', title: 'Measure' },
        { field: 'amount', type: 'quantitative', title: amount, format: FORMAT.amount },
        { field: 'deals', type: 'quantitative', title: 'Open deals', format: ',' },
        { field: 'share', type: 'quantitative', title: 'Wuwei expects of the rep amount', format: FORMAT.percent },
      ],
    },
  };
}
