import { formatDateTime } from './format.js';
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { RunHistoryEntry } from './types.js';

const STAGE_COLORS = ['#1f5fbf', '#6baed6', '#2e8b57', '#e0892c', '#8e44ad', '#c0504d', '#5b6270', '#bcbd22'];

/** Wall time of each recent nightly run, stacked by stage, oldest first; failed runs are marked in the label. */
export function runHistoryChart(runs: RunHistoryEntry[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  // "30 Jun 01:00": the site's one date format (day, month name), with the start time.
  const label = (run: RunHistoryEntry) =>
    `${formatDateTime(run.startedAt.slice(0, 16)).replace(/ \d{4}/, '')}${run.outcome === 'succeeded' ? '' : ` (${run.outcome})`}`;
  const stages = [...new Set(ordered.flatMap((run) => run.stages.map((s) => s.stage)))];
  const values = ordered.flatMap((run) =>
    run.stages.map((s, i) => ({ run: label(run), stage: s.stage, order: i, seconds: s.seconds, outcome: run.outcome })),
  );
  const size = sizing(options, { width: 720, height: 240 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: `Stacked bar chart of the wall time in seconds of the last ${ordered.length} nightly runs, split by pipeline stage, oldest first.`,
    title: chartTitle(
      'Recent nightly runs',
      `Seconds per stage of the ${ordered.length === 1 ? 'last run record' : `last ${ordered.length} run records, oldest first`} (UTC start time); failed runs say so.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    // A few runs must not make bars as wide as the chart.
    mark: {
      type: 'bar',
      width: Math.max(4, Math.min(48, Math.round((0.7 * size.width) / Math.max(1, ordered.length)))),
    },
    encoding: {
      x: {
        field: 'run',
        type: 'ordinal',
        sort: ordered.map(label),
        title: 'Run started (UTC)',
        axis: { labelAngle: -40 },
      },
      y: { field: 'seconds', type: 'quantitative', title: 'Wall time (seconds)', stack: 'zero' },
      color: {
        field: 'stage',
        type: 'nominal',
        title: 'Stage',
        sort: stages,
        scale: { domain: stages, range: STAGE_COLORS.slice(0, Math.max(1, stages.length)) },
      },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [
        { field: 'run', type: 'ordinal', title: 'Run' },
        { field: 'outcome', type: 'nominal', title: 'Outcome' },
        { field: 'stage', type: 'nominal', title: 'Stage' },
        { field: 'seconds', type: 'quantitative', title: 'Seconds', format: ',.1f' },
      ],
    },
  };
}
