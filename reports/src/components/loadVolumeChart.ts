import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, MEASURES, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { EntityLoad } from './types.js';

/** Rows loaded per export, largest first, on a log scale (a few hundred users next to a million activities), with the rejects written beside each bar. */
export function loadVolumeChart(entities: EntityLoad[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...entities].sort((a, b) => b.loaded - a.loaded || a.entity.localeCompare(b.entity));
  const values = ordered.map((e) => ({
    ...e,
    entityLabel: e.entity.replaceAll('_', ' '),
    // Log scale: an empty table sits at 1 and is labelled as empty.
    plotted: Math.max(1, e.loaded),
    text: e.loaded === 0 ? 'none loaded' : e.rejected ? `${e.rejected.toLocaleString('en-US')} rejected` : 'no rejects',
  }));
  const size = sizing(options, { width: 560, height: Math.max(2, ordered.length) * 26 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Horizontal bar chart on a logarithmic scale of the rows loaded from each export file in the last load, largest first, labelled with the rows rejected.',
    title: chartTitle(
      'What the last load brought',
      'Rows loaded per export (log scale), largest first; label: rows rejected into load_rejects.',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    encoding: {
      y: { field: 'entityLabel', type: 'nominal', sort: values.map((v) => v.entityLabel), title: null },
      tooltip: [
        { field: 'entityLabel', type: 'nominal', title: 'Export' },
        { field: 'loaded', type: 'quantitative', title: 'Rows loaded', format: ',' },
        { field: 'rejected', type: 'quantitative', title: 'Rows rejected', format: ',' },
      ],
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2, color: MEASURES.expected.color },
        // A log scale has no zero: bars start at 1 row.
        encoding: {
          x: {
            field: 'plotted',
            type: 'quantitative',
            title: 'Rows loaded (count, log scale)',
            scale: { type: 'log', domainMin: 1 },
            axis: { format: '~s', values: [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8] },
          },
          x2: { datum: 1 },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: {
          x: { field: 'plotted', type: 'quantitative' },
          text: { field: 'text', type: 'nominal' },
          color: { condition: { test: 'datum.rejected > 0', value: '#c0504d' }, value: '#5b6270' },
        },
      },
    ],
  };
}
