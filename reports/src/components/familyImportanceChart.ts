import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, chartTitle, DIMENSION_COLORS, sizing, VEGA_LITE_SCHEMA, type ChartSize } from './chartStyle.js';
import type { FamilyImportance } from './types.js';

/** Importance summed by ECM and PBM family: which kind of relationship or behaviour the model leans on most. */
export function familyImportanceChart(families: FamilyImportance[], options: ChartSize = {}): TopLevelSpec {
  const ordered = [...families].sort((a, b) => b.importance - a.importance || a.family.localeCompare(b.family));
  const dimensions = (Object.keys(DIMENSION_COLORS) as (keyof typeof DIMENSION_COLORS)[]).filter((d) =>
    ordered.some((f) => f.dimension === d),
  );
  const size = sizing(options, { width: 560, height: Math.max(2, ordered.length) * 26 }, 'fit-x');
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      'Horizontal bar chart of feature importance summed over each ECM and PBM feature family (holdout AUC lost when each feature is shuffled), largest first.',
    title: chartTitle(
      'What the model leans on, by family',
      'Holdout AUC lost when each feature is shuffled, summed over the family (negative values count as zero). Blue: relationships (ECM); teal: project behaviour (PBM).',
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values: ordered },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: {
        field: 'family',
        type: 'nominal',
        sort: ordered.map((f) => f.family),
        title: null,
        axis: { labelLimit: 260 },
      },
      x: {
        field: 'importance',
        type: 'quantitative',
        title: 'AUC lost, summed (0–1)',
        axis: { format: '.3f', tickCount: 4, labelOverlap: true },
      },
      color: {
        field: 'dimension',
        type: 'nominal',
        title: 'Dimension',
        scale: { domain: dimensions, range: dimensions.map((d) => DIMENSION_COLORS[d]) },
      },
      tooltip: [
        { field: 'family', type: 'nominal', title: 'Family' },
        { field: 'features', type: 'quantitative', title: 'Features in the model' },
        { field: 'importance', type: 'quantitative', title: 'AUC lost, summed', format: '.4f' },
      ],
    },
  };
}
