/** model.json: the active model's version, training data, holdout metrics, ROC and calibration curves, feature importance. */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { FAMILY_LABELS, FEATURES } from '../../../pipeline/features/catalog.ts';
import type {
  CatalogEntry,
  CurvePoint,
  FamilyImportance,
  FeatureImportance,
  ModelMetric,
  ModelReport,
} from '../components/types.ts';
import { baseRateFromCalibration, liftFromRoc } from './lift.ts';
import { modelSummary } from './modelSummary.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { optionalColumns, requireColumns } from './tables.ts';

/** Columns of `model_versions` the deal-size and close-timing models add (models/win/registry.ts): model against rep. */
export const AMOUNT_ERROR_COLUMNS = ['amount_wape', 'amount_baseline_wape'];
export const MEDIAN_ERROR_COLUMNS = ['amount_median_ape', 'amount_baseline_median_ape'];
export const CLOSE_ERROR_COLUMNS = ['close_mae_days', 'close_baseline_mae_days'];

/** The model page's data, from the run's database. */
export async function modelData(conn: DuckDBConnection): Promise<ModelReport> {
  const model = await modelSummary(conn);
  if (!model) {
    const none = { available: false as const, reason: 'No model has been trained yet: run the nightly pipeline.' };
    return {
      model: null,
      roc: [],
      calibration: [],
      importance: [],
      lift: none,
      families: [],
      catalog: catalogWith([]),
      amountError: none,
    };
  }
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
  const roc = await curve('roc');
  const calibration = await curve('calibration');
  const described = importance.map(describeFeature);
  return {
    model,
    roc,
    calibration,
    importance: described,
    lift: await lift(),
    families: familyImportance(described),
    catalog: catalogWith(described),
    amountError: await amountError(),
  };

  async function lift(): Promise<ModelReport['lift']> {
    const stored = await queryRows<{ model: 'wuwei' | 'stage_baseline'; depth: number; lift: number }>(
      conn,
      `SELECT model, x::DOUBLE AS depth, y::DOUBLE AS lift FROM model_curves
       WHERE version = ${version} AND curve = 'lift' AND model IN ('wuwei', 'stage_baseline') ORDER BY model, x`,
    );
    const baseRate = baseRateFromCalibration(calibration.filter((bin) => bin.model === 'wuwei'));
    if (stored.length > 0) return { available: true, source: 'stored', baseRate, points: stored };
    if (baseRate === null || roc.length === 0)
      return {
        available: false,
        reason:
          'Lift is not available in this run: the model stored neither a lift curve nor the ROC curve and calibration bins it can be derived from.',
      };
    return { available: true, source: 'derived', baseRate, points: liftFromRoc(roc, baseRate) };
  }

  async function amountError(): Promise<ModelReport['amountError']> {
    const missing = await requireColumns(conn, 'model_versions', AMOUNT_ERROR_COLUMNS, 'Deal-size error');
    if (missing) return missing;
    const extra = await optionalColumns(conn, 'model_versions', [...MEDIAN_ERROR_COLUMNS, ...CLOSE_ERROR_COLUMNS]);
    const median = MEDIAN_ERROR_COLUMNS.every((column) => extra.has(column));
    const close = CLOSE_ERROR_COLUMNS.every((column) => extra.has(column));
    const [row] = await queryRows<{
      wape: number | null;
      baseWape: number | null;
      mape: number | null;
      baseMape: number | null;
      mae: number | null;
      baseMae: number | null;
    }>(
      conn,
      `SELECT amount_wape::DOUBLE AS wape, amount_baseline_wape::DOUBLE AS "baseWape",
              ${median ? 'amount_median_ape::DOUBLE' : 'NULL'} AS mape, ${median ? 'amount_baseline_median_ape::DOUBLE' : 'NULL'} AS "baseMape",
              ${close ? 'close_mae_days::DOUBLE' : 'NULL'} AS mae, ${close ? 'close_baseline_mae_days::DOUBLE' : 'NULL'} AS "baseMae"
       FROM model_versions WHERE version = ${version}`,
    );
    if (row?.wape == null || row.baseWape == null)
      return {
        available: false,
        reason:
          'Deal-size error is not available for this model version: no deal-size model was trained with it (amount_wape is empty).',
      };
    const metrics: ModelMetric[] = [
      { name: 'Deal-size WAPE', wuwei: row.wape, baseline: row.baseWape, higherIsBetter: false },
    ];
    if (row.mape != null && row.baseMape != null)
      metrics.push({ name: 'Deal-size median APE', wuwei: row.mape, baseline: row.baseMape, higherIsBetter: false });
    const closeTiming =
      row.mae != null && row.baseMae != null ? { maeDays: row.mae, baselineMaeDays: row.baseMae } : null;
    return { available: true, metrics, closeTiming };
  }
}

function familyImportance(features: FeatureImportance[]): FamilyImportance[] {
  const families = new Map<string, FamilyImportance>();
  for (const feature of features) {
    const family = families.get(feature.family) ?? {
      family: feature.family,
      dimension: feature.dimension,
      importance: 0,
      features: 0,
    };
    family.importance += Math.max(0, feature.importance);
    family.features += 1;
    families.set(feature.family, family);
  }
  return [...families.values()].sort((a, b) => b.importance - a.importance || a.family.localeCompare(b.family));
}

/** Every catalog feature with its definition, and its importance where the model reported one. */
function catalogWith(importance: FeatureImportance[]): CatalogEntry[] {
  const byName = new Map(importance.map((feature) => [feature.feature, feature.importance]));
  return FEATURES.map((feature) => ({
    name: feature.name,
    dimension: feature.family.startsWith('ecm') ? 'ECM' : 'PBM',
    family: FAMILY_LABELS[feature.family],
    definition: feature.definition,
    unit: feature.unit,
    direction: feature.direction,
    importance: byName.get(feature.name) ?? null,
  }));
}

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

await runLoaderAsScript(import.meta.url, 'model', modelData);
