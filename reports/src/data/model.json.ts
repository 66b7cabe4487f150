/** model.json: the active model's version, training data, holdout metrics, ROC and calibration curves, feature importance. */
import { queryRows, quoteLiteral } from '../../../pipeline/db.ts';
import { FAMILY_LABELS, FEATURES } from '../../../pipeline/features/catalog.ts';
import type { CurvePoint, FeatureImportance, ModelReport } from '../components/types.ts';
import { modelSummary } from './modelSummary.ts';
import { runLoader } from './runLoader.ts';

await runLoader('model', async (conn): Promise<ModelReport> => {
  const model = await modelSummary(conn);
  if (!model) return { model: null, roc: [], calibration: [], importance: [] };
  const version = quoteLiteral(model.version);
  const curve = (name: 'roc' | 'calibration') =>
    queryRows<CurvePoint>(
      conn,
      `SELECT model, x::DOUBLE AS x, y::DOUBLE AS y, coalesce(n, 0)::INTEGER AS n
       FROM model_curves
       WHERE version = ${version} AND curve = '${name}' AND model IN ('wuwei', 'stage_baseline')
       ORDER BY model, x, y`,
    );
  const importance = await queryRows<{ feature: string; importance: number }>(
    conn,
    `SELECT feature, importance::DOUBLE AS importance FROM model_feature_importance WHERE version = ${version} ORDER BY importance DESC, feature`,
  );
  return { model, roc: await curve('roc'), calibration: await curve('calibration'), importance: importance.map(describeFeature) };
});

/** Adds the catalog's plain words to a feature name, so the page explains what it shows. */
function describeFeature(row: { feature: string; importance: number }): FeatureImportance {
  const definition = FEATURES.find((feature) => feature.name === row.feature);
  if (!definition) return { ...row, dimension: 'Other', family: 'not in the feature catalog', definition: '' };
  return {
    ...row,
    dimension: definition.family.startsWith('ecm') ? 'ECM' : 'PBM',
    family: FAMILY_LABELS[definition.family],
    definition: `${definition.definition} (${definition.unit}; ${definition.direction})`,
  };
}
