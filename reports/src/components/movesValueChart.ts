import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, FORMAT, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';

export interface MoveKindValue {
  kind: string;
  moves: number;
  /** Summed expected-value gain of the kind's moves the model expects to help. */
  valueAtStake: number;
  /** Mean change in win probability over all the kind's moves. */
  meanDeltaWin: number;
}

const KIND_LABELS: Record<string, string> = {
  engage_role: 'Engage an uncovered role',
  introduction: 'Introduction by a colleague',
  multi_thread: 'Multi-thread',
  executive_sponsor: 'Executive sponsor',
  solutions_engineer: 'Solutions engineer',
  reengage: 'Re-engage a quiet key person',
};

/** The value at stake tonight by kind of move, largest first: where the model sees the most to gain. */
export function movesValueChart(kinds: MoveKindValue[], options: ChartSize & { currency: string }): TopLevelSpec {
  const values = kinds
    .map((k) => ({ ...k, label: KIND_LABELS[k.kind] ?? k.kind }))
    .sort((a, b) => b.valueAtStake - a.valueAtStake);
  const size = sizing(options, { width: 560, height: Math.max(2, values.length) * 30 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      "Horizontal bar chart of the expected-value gain the model expects from tonight's moves, summed by kind of move, largest first.",
    title: chartTitle(
      'Value at stake by kind of move',
      `Summed expected-value gain (${options.currency}) of the moves the model expects to help, if they happen.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2, color: '#1f5fbf' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: values.map((v) => v.label), title: null },
      x: {
        field: 'valueAtStake',
        type: 'quantitative',
        title: `Value at stake (${options.currency})`,
        axis: { format: FORMAT.amount },
      },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'Move' },
        { field: 'moves', type: 'quantitative', title: 'Moves tonight' },
        {
          field: 'valueAtStake',
          type: 'quantitative',
          title: `Value at stake (${options.currency})`,
          format: FORMAT.amount,
        },
        {
          field: 'meanDeltaWin',
          type: 'quantitative',
          title: 'Mean change in win probability',
          format: FORMAT.percentPrecise,
        },
      ],
    },
  } as TopLevelSpec;
}
