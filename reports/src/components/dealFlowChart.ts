import type { TopLevelSpec } from 'vega-lite';
import { AMOUNT_AXIS, BASE_CONFIG, chartTitle, FORMAT, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { DealFlow } from './types.js';

const FLOW_COLORS: Record<DealFlow['flow'], string> = { new: '#1f5fbf', won: '#2e8b57', lost: '#c0504d', pushed: '#e0892c', pulled: '#17becf', dropped: '#8a8f98' };

/** What moved between two nights: new, won, lost, pushed and pulled deals, by amount, in that order. */
export function dealFlowChart(rows: DealFlow[], options: ChartSize & { currency: string; previousAsOf: string; asOf: string }): TopLevelSpec {
  const order = (Object.keys(FLOW_COLORS) as DealFlow['flow'][]).filter((flow) => rows.some((r) => r.flow === flow));
  const labels = order.map((flow) => rows.find((r) => r.flow === flow)!.label);
  const amount = `Amount (${options.currency})`;
  const size = sizing(options, { width: 560, height: Math.max(2, order.length) * 30 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Horizontal bar chart of the deal flow between the scores of ${options.previousAsOf} and ${options.asOf}: the amount of deals that were new, won, lost, had their close date pushed or pulled in, or left the pipeline otherwise.`,
    title: chartTitle(`Deal flow since ${options.previousAsOf}`, `Amount of the deals in each movement between the previous night's scores and ${options.asOf}; label: number of deals.`, size.width),
    ...size,
    config: BASE_CONFIG,
    data: { values: rows.map((r) => ({ ...r, text: `${r.deals.toLocaleString('en-US')} deals` })) },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: labels, title: null },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'Movement' },
        { field: 'deals', type: 'quantitative', title: 'Deals', format: ',' },
        { field: 'amount', type: 'quantitative', title: amount, format: FORMAT.amount },
      ],
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          x: { field: 'amount', type: 'quantitative', title: amount, axis: AMOUNT_AXIS },
          color: { field: 'label', type: 'nominal', scale: { domain: labels, range: order.map((flow) => FLOW_COLORS[flow]) }, legend: null },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#3b414b' }, encoding: { x: { field: 'amount', type: 'quantitative' }, text: { field: 'text', type: 'nominal' } } },
    ],
  };
}
