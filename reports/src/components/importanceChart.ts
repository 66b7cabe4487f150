import type { TopLevelSpec } from 'vega-lite';
import {
  BASE_CONFIG,
  chartTitle,
  DIMENSION_COLORS,
  readableFeatureName,
  sizing,
  VEGA_LITE_SCHEMA,
  type ChartSize,
} from './chartStyle.js';
import type { FeatureImportance } from './types.js';

export interface ImportanceChartOptions extends ChartSize {
  /** Show the strongest features only. */
  limit?: number;
}

/**
 * Horizontal bars of permutation importance (holdout AUC lost when a feature is shuffled), strongest
 * first, coloured by the dimension the feature measures: ECM relationships or PBM project behaviour.
 */
export function importanceChart(features: FeatureImportance[], options: ImportanceChartOptions = {}): TopLevelSpec {
  const limit = options.limit ?? 15;
  const top = [...features].sort((a, b) => b.importance - a.importance).slice(0, limit);
  const dimensions = (Object.keys(DIMENSION_COLORS) as (keyof typeof DIMENSION_COLORS)[]).filter((dimension) =>
    top.some((feature) => feature.dimension === dimension),
  );
  const values = top.map((feature) => ({
    ...feature,
    label: readableFeatureName(feature.feature),
    dimension: dimensions.includes(feature.dimension as keyof typeof DIMENSION_COLORS) ? feature.dimension : 'Other',
  }));
  const size = sizing(options, { width: 720, height: Math.max(160, top.length * 22) });
  return {
    $schema: VEGA_LITE_SCHEMA,
    description:
      `Bar chart of the ${top.length} most important model features by permutation importance: how much the holdout AUC drops when the feature's values are shuffled. ` +
      'Colour shows whether a feature measures relationships (ECM) or project behaviour (PBM).',
    title: chartTitle(
      'What drives the win probability',
      `Top ${top.length} of ${features.length} features: how much holdout AUC the model loses when the feature is shuffled. Longer bar, more weight.`,
      size.width,
    ),
    ...size,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: {
        field: 'label',
        type: 'nominal',
        sort: values.map((feature) => feature.label),
        title: null,
        axis: { labelLimit: 260 },
      },
      x: {
        field: 'importance',
        type: 'quantitative',
        title: 'AUC lost when shuffled (0–1)',
        axis: { format: '.3f', tickCount: 4, labelOverlap: true },
      },
      color: {
        field: 'dimension',
        type: 'nominal',
        title: 'Dimension',
        scale: { domain: dimensions, range: dimensions.map((dimension) => DIMENSION_COLORS[dimension]) },
      },
      tooltip: [
        { field: 'feature', type: 'nominal', title: 'Feature' },
        { field: 'family', type: 'nominal', title: 'Measures' },
        { field: 'definition', type: 'nominal', title: 'Definition' },
        { field: 'importance', type: 'quantitative', title: 'AUC drop', format: '.4f' },
      ],
    },
  };
}
