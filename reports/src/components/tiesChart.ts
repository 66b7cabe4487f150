import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { Tie } from './types.js';

/**
 * Who knows whom on one account: our people (rows) against their contacts (columns), shaded by the
 * strength of the tie and labelled with the number of interactions. An empty row is a colleague
 * with no ties there; a column with one dark cell hangs on one person.
 */
export function tiesChart(ties: Tie[], options: ChartSize & { account: string }): TopLevelSpec {
  const byStrength = (key: 'userLabel' | 'contactLabel') => {
    const totals = new Map<string, number>();
    for (const tie of ties) totals.set(tie[key], (totals.get(tie[key]) ?? 0) + tie.strength);
    return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label]) => label);
  };
  const users = byStrength('userLabel');
  const contacts = byStrength('contactLabel');
  const size = sizing(options, { width: 720, height: Math.max(2, users.length) * 30 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      `Heatmap of who knows whom at account ${options.account}: our employees as rows, the account's contacts as columns, ` +
      'shaded by the decayed strength of their interactions and labelled with the number of interactions.',
    title: chartTitle(
      `Who knows whom at ${options.account}`,
      'Our people (rows) × their contacts (columns), strongest first. Shade: tie strength in points; number: interactions together.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values: ties },
    encoding: {
      x: {
        field: 'contactLabel',
        type: 'nominal',
        sort: contacts,
        title: 'Their contact (id · seniority · department)',
        axis: { labelAngle: -35, labelLimit: 200 },
      },
      y: {
        field: 'userLabel',
        type: 'nominal',
        sort: users,
        title: 'Our employee (id · role)',
        axis: { labelLimit: 220 },
      },
      tooltip: [
        { field: 'userLabel', type: 'nominal', title: 'Our employee' },
        { field: 'contactLabel', type: 'nominal', title: 'Their contact' },
        { field: 'interactions', type: 'quantitative', title: 'Interactions together' },
        { field: 'strength', type: 'quantitative', title: 'Tie strength (points)', format: ',.1f' },
        { field: 'lastInteraction', type: 'nominal', title: 'Last interaction' },
      ],
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'strength',
            type: 'quantitative',
            title: 'Tie strength (points)',
            scale: { scheme: 'blues' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'interactions', type: 'quantitative' },
          color: {
            condition: { test: `datum.strength > ${Math.max(...ties.map((t) => t.strength), 0) / 2}`, value: 'white' },
            value: '#1d2330',
          },
        },
      },
    ],
  };
}
