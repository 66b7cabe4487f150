/**
 * The tables Wuwei's stages write beside the loaded exports, declared once: columns, types, owning
 * stage, key, personal-data flags and meaning. Stages create their tables from these declarations;
 * ./tables.ts adds the loaded entities and the feature columns to make the whole contract.
 */
import { col, type TableColumn, type TableSpec } from './table-spec.ts';

/** The columns every feature row starts with: the deal's state as of the date, then its outcome (training rows only). */
const OBSERVATION_COLUMNS: TableColumn[] = [
  col('account_id', 'VARCHAR', 'The deal\'s account.'),
  col('owner_id', 'VARCHAR', 'The deal\'s owner (a user_id).'),
  col('stage', 'VARCHAR', 'Stage as of the date.'),
  col('stage_probability', 'DOUBLE', 'The CRM\'s default probability of that stage (the baseline).'),
  col('amount', 'DOUBLE', 'Amount as of the date, reporting currency.'),
  col('expected_close_date', 'DATE', 'The rep\'s expected close date as of the date.'),
  col('won', 'INTEGER', 'Training rows: 1 if the deal was finally won, 0 if lost.'),
  col('final_amount', 'DOUBLE', 'Training rows: the amount at the close.'),
  col('close_date', 'DATE', 'Training rows: the day the deal closed.'),
  col('label_won', 'INTEGER', 'Training rows: the label of the win model (as `won`).'),
  col('final_close_date', 'DATE', 'Training rows: the close date the close-timing model learns.'),
];

const featureTable = (name: string, description: string, purpose: boolean): TableSpec => ({
  name,
  stage: 'features',
  kind: 'table',
  description,
  key: purpose ? ['opportunity_id', 'as_of', 'purpose'] : ['opportunity_id', 'as_of'],
  columns: [
    col('opportunity_id', 'VARCHAR', 'The deal.'),
    col('as_of', 'DATE', 'The date the features are computed as of (only records stamped on or before it count).'),
    ...(purpose ? [col('purpose', 'VARCHAR', '`train` (a closed deal observed during its life) or `score` (an open deal today).')] : []),
    ...OBSERVATION_COLUMNS,
  ],
  featureColumns: true,
});

const PERIOD_COLUMNS: TableColumn[] = [
  col('as_of', 'DATE', 'The date the forecast was made as of.'),
  col('period_type', 'VARCHAR', '`month` or `quarter` (fiscal).'),
  col('period_label', 'VARCHAR', 'e.g. 2026-07 or FY2026 Q3.'),
  col('period_start', 'DATE', 'First day of the period.'),
  col('period_end', 'DATE', 'Last day of the period.'),
  col('segment_type', 'VARCHAR', '`all`, or the dimension the row splits by (segment, region, product line, owner).'),
  col('segment', 'VARCHAR', 'The value of that dimension (`all` for the total).'),
];

/** The tables the stages write, in the order of the flow (the loaded entities, and the snapshots of
 * opportunities that share their columns, are declared in ./tables.ts from pipeline/load/schema.ts). */
export const OUTPUT_TABLES: readonly TableSpec[] = [
  // load
  {
    name: 'load_rejects', stage: 'load', kind: 'table', key: [],
    description: 'Rows of the last load that broke the contract, one row per problem, with where and why; nothing is lost.',
    columns: [
      col('as_of', 'DATE', 'The load\'s as-of date.'),
      col('entity', 'VARCHAR', 'The entity the row belongs to.'),
      col('file', 'VARCHAR', 'The file it came from.'),
      col('line', 'BIGINT', 'Its line in that file.'),
      col('column_name', 'VARCHAR', 'The column at fault (NULL for a whole-row problem).'),
      col('value', 'VARCHAR', 'The value at fault, as text (may hold a name or e-mail).', true),
      col('reason', 'VARCHAR', 'Why it was rejected.'),
    ],
  },
  {
    name: 'wuwei_meta', stage: 'load', kind: 'table', key: [],
    description: 'One row: what the database holds now.',
    columns: [
      col('as_of', 'DATE', 'The loaded export\'s as-of date: the date every later stage works as of.'),
      col('source', 'VARCHAR', 'The export folder or files.'),
      col('layout', 'VARCHAR', 'The layout or mapping it was read with.'),
      col('reporting_currency', 'VARCHAR', 'The currency every amount was converted to.'),
      col('loaded_at', 'TIMESTAMP', 'When it was loaded.'),
    ],
  },
  {
    name: 'snapshots', stage: 'load', kind: 'table', key: ['as_of'],
    description: 'One row per loaded as-of date.',
    columns: [
      col('as_of', 'DATE', 'The export\'s as-of date.'),
      col('source', 'VARCHAR', 'The export it came from.'),
      col('loaded_at', 'TIMESTAMP', 'When it was loaded.'),
      col('opportunities', 'BIGINT', 'Deals in that snapshot.'),
    ],
  },
  {
    name: 'custom_attributes', stage: 'load', kind: 'table', key: ['entity', 'record_id', 'name'],
    description: 'Every value of a column the contract does not name (opportunities and accounts), as text.',
    columns: [
      col('entity', 'VARCHAR', '`opportunities` or `accounts`.'),
      col('record_id', 'VARCHAR', 'The deal or account.'),
      col('name', 'VARCHAR', 'The column\'s name in the export.'),
      col('type', 'VARCHAR', 'The type DuckDB inferred for it.'),
      col('value', 'VARCHAR', 'The value, as text.'),
    ],
  },
  {
    name: 'custom_attribute_columns', stage: 'load', kind: 'table', key: ['entity', 'name'],
    description: 'The registry of custom attributes.',
    columns: [
      col('entity', 'VARCHAR', '`opportunities` or `accounts`.'),
      col('name', 'VARCHAR', 'The column\'s name in the export.'),
      col('feature_name', 'VARCHAR', 'Its name as a model input (`custom_<name>`, `custom_account_<name>`).'),
      col('type', 'VARCHAR', 'The inferred type.'),
      col('is_numeric', 'BOOLEAN', 'Whether a model can use it (number or yes/no).'),
    ],
  },
  {
    name: 'opportunity_custom_attributes', stage: 'load', kind: 'table', key: ['opportunity_id'],
    description: 'One typed row per deal with its custom attributes.',
    columns: [col('opportunity_id', 'VARCHAR', 'The deal.')],
    extraColumns: 'one column per custom attribute of the opportunities file, typed as DuckDB infers it',
  },
  {
    name: 'account_custom_attributes', stage: 'load', kind: 'table', key: ['account_id'],
    description: 'One typed row per account with its custom attributes.',
    columns: [col('account_id', 'VARCHAR', 'The account.')],
    extraColumns: 'one column per custom attribute of the accounts file, typed as DuckDB infers it',
  },
  {
    name: 'opportunity_custom_features', stage: 'load', kind: 'view', key: ['opportunity_id'],
    description: 'Every numeric or yes/no custom attribute of a deal and of its account, as a model input.',
    columns: [col('opportunity_id', 'VARCHAR', 'The deal.')],
    extraColumns: '`custom_<name>` and `custom_account_<name>`, DOUBLE',
  },
  // features
  featureTable('fct_opportunity_features', 'The feature mart: training and scoring observations in one table.', true),
  featureTable('features_train', 'Training observations: closed deals observed at dates during their life.', false),
  featureTable('features_score', 'Scoring observations: the open deals as of the date.', false),
  {
    name: 'feature_support', stage: 'features', kind: 'table', key: ['feature'],
    description: 'One row per catalog feature: whether the last build could compute it and, if not, why.',
    columns: [
      col('position', 'INTEGER', 'Its place in the catalog.'),
      col('feature', 'VARCHAR', 'The feature.'),
      col('family', 'VARCHAR', 'Its family (ECM or PBM dimension).'),
      col('supported', 'BOOLEAN', 'Whether this export supports it (else it is NULL in the marts).'),
      col('missing_exports', 'VARCHAR[]', 'The empty exports it needs.'),
    ],
  },
  {
    name: 'feature_build', stage: 'features', kind: 'table', key: [],
    description: 'One row: the last feature build, read by the retraining rule.',
    columns: [
      col('as_of', 'DATE', 'The date it was built as of.'),
      col('training', 'BOOLEAN', 'Whether it rebuilt the training table.'),
      col('max_training_deals', 'INTEGER', 'The most closed deals the training table samples.'),
      col('closed_won', 'INTEGER', 'Won deals closed by that date.'),
      col('closed_lost', 'INTEGER', 'Lost deals closed by that date.'),
    ],
  },
  {
    name: 'rel_deal_contact_ties', stage: 'features', kind: 'table', key: ['opportunity_id', 'contact_id', 'user_id'],
    description: 'Per open deal, the strength of each (our employee, customer contact) tie as of the date. Identifiers only.',
    columns: [
      col('opportunity_id', 'VARCHAR', 'The deal.'),
      col('contact_id', 'VARCHAR', 'The customer contact.'),
      col('user_id', 'VARCHAR', 'Our employee.'),
      col('as_of', 'DATE', 'The date.'),
      col('is_owner', 'BOOLEAN', 'Whether the employee owns the deal.'),
      col('strength', 'DOUBLE', 'Relationship strength (docs/features.md).'),
      col('interactions', 'INTEGER', 'Two-way interactions counted.'),
    ],
  },
  {
    name: 'rel_who_knows_whom', stage: 'features', kind: 'table', key: ['account_id', 'contact_id', 'user_id'],
    description: 'Who knows whom: every (our employee, customer contact) pair that shared an interaction. Identifiers only.',
    columns: [
      col('account_id', 'VARCHAR', 'The contact\'s account.'),
      col('contact_id', 'VARCHAR', 'The customer contact.'),
      col('user_id', 'VARCHAR', 'Our employee.'),
      col('as_of', 'DATE', 'The date.'),
      col('strength', 'DOUBLE', 'Relationship strength (docs/features.md).'),
      col('interactions', 'INTEGER', 'Two-way interactions counted.'),
      col('last_interaction', 'DATE', 'The latest of them.'),
    ],
  },
  // train
  {
    name: 'model_versions', stage: 'train', kind: 'table', key: ['version'],
    description: 'The registry: one row per trained model version with its holdout metrics and the baselines\'.',
    columns: [
      col('version', 'VARCHAR', 'The version (its folder under models/).'),
      col('trained_at', 'TIMESTAMP', 'When it was trained.'),
      col('backend', 'VARCHAR', 'The TensorFlow.js backend that trained it.'),
      col('seed', 'INTEGER', 'The training seed.'),
      col('n_train_obs', 'INTEGER', 'Training observations.'),
      col('n_train_deals', 'INTEGER', 'Training deals.'),
      col('n_holdout_obs', 'INTEGER', 'Holdout observations.'),
      col('n_holdout_deals', 'INTEGER', 'Holdout deals (the most recently closed).'),
      col('train_from', 'DATE', 'First close date in training.'),
      col('train_to', 'DATE', 'Last close date in training.'),
      col('holdout_from', 'DATE', 'First close date in the holdout.'),
      col('holdout_to', 'DATE', 'Last close date in the holdout.'),
      col('auc', 'DOUBLE', 'Holdout ROC AUC of the win model.'),
      col('pr_auc', 'DOUBLE', 'Holdout average precision.'),
      col('log_loss', 'DOUBLE', 'Holdout log loss.'),
      col('brier', 'DOUBLE', 'Holdout Brier score.'),
      col('ece', 'DOUBLE', 'Holdout expected calibration error.'),
      col('baseline_auc', 'DOUBLE', 'The same for the CRM\'s stage probabilities.'),
      col('baseline_pr_auc', 'DOUBLE', 'Baseline average precision.'),
      col('baseline_log_loss', 'DOUBLE', 'Baseline log loss.'),
      col('baseline_brier', 'DOUBLE', 'Baseline Brier score.'),
      col('baseline_ece', 'DOUBLE', 'Baseline calibration error.'),
      col('train_seconds', 'DOUBLE', 'Training wall time.'),
      col('path', 'VARCHAR', 'The model folder.'),
      col('active', 'BOOLEAN', 'Whether scoring uses it.'),
      col('amount_wape', 'DOUBLE', 'Deal-size model: holdout WAPE of the final amount.'),
      col('amount_baseline_wape', 'DOUBLE', 'The same for the rep-entered amount.'),
      col('amount_median_ape', 'DOUBLE', 'Deal-size model: median absolute percentage error.'),
      col('amount_baseline_median_ape', 'DOUBLE', 'The same for the rep-entered amount.'),
      col('close_mae_days', 'DOUBLE', 'Close-timing model: mean absolute error of the close date, days.'),
      col('close_baseline_mae_days', 'DOUBLE', 'The same for the rep\'s expected close date.'),
    ],
  },
  {
    name: 'model_curves', stage: 'train', kind: 'table', key: [],
    description: 'Holdout curves of each version (ROC, calibration, lift), point by point.',
    columns: [
      col('version', 'VARCHAR', 'The model version.'),
      col('model', 'VARCHAR', 'The model (model or baseline).'),
      col('curve', 'VARCHAR', 'The curve.'),
      col('x', 'DOUBLE', 'x of the point.'),
      col('y', 'DOUBLE', 'y of the point.'),
      col('n', 'INTEGER', 'Observations behind the point (calibration bins).'),
    ],
  },
  {
    name: 'model_feature_importance', stage: 'train', kind: 'table', key: ['version', 'feature'],
    description: 'Permutation importance of each feature on the holdout.',
    columns: [
      col('version', 'VARCHAR', 'The model version.'),
      col('feature', 'VARCHAR', 'The feature.'),
      col('importance', 'DOUBLE', 'Drop of holdout AUC when the feature is shuffled.'),
    ],
  },
  {
    name: 'training_snapshots', stage: 'train', kind: 'table', key: ['version', 'feature'],
    description: 'What each version was trained on, for the retraining rule (closed-deal growth, feature drift).',
    columns: [
      col('version', 'VARCHAR', 'The model version.'),
      col('as_of', 'DATE', 'The loaded as-of date when it was trained.'),
      col('won', 'INTEGER', 'Won closed deals then.'),
      col('lost', 'INTEGER', 'Lost closed deals then.'),
      col('feature', 'VARCHAR', 'A feature.'),
      col('open_mean', 'DOUBLE', 'Its mean over the open deals then.'),
      col('sd', 'DOUBLE', 'Its standard deviation in training.'),
    ],
  },
  // score
  {
    name: 'scores', stage: 'score', kind: 'table', key: ['opportunity_id', 'as_of'],
    description: 'Every night\'s scores of the open deals; `scores.csv` holds the latest night.',
    columns: [
      col('opportunity_id', 'VARCHAR', 'The deal.'),
      col('as_of', 'DATE', 'The night\'s as-of date.'),
      col('account_id', 'VARCHAR', 'The deal\'s account.'),
      col('owner_id', 'VARCHAR', 'The deal\'s owner.'),
      col('stage', 'VARCHAR', 'Stage as of the date.'),
      col('stage_probability', 'DOUBLE', 'The CRM\'s default probability of the stage.'),
      col('amount', 'DOUBLE', 'The rep-entered amount.'),
      col('expected_close_date', 'DATE', 'The rep\'s expected close date (from the CRM).'),
      col('win_probability', 'DOUBLE', 'The model\'s calibrated win probability.'),
      col('score', 'INTEGER', 'The win probability as 0-100.'),
      col('model_version', 'VARCHAR', 'The model that scored it (`stage_baseline` when none was trained).'),
      col('scored_at', 'TIMESTAMP', 'When.'),
      col('grade', 'VARCHAR', 'A to D by the configured score bands.'),
      col('trend', 'VARCHAR', 'up, down, steady or new against the previous night.'),
      col('previous_score', 'INTEGER', 'The previous night\'s score.'),
      col('expected_amount', 'DOUBLE', 'The deal-size model\'s expected final amount.'),
      col('predicted_close_date', 'DATE', 'The close-timing model\'s predicted close date.'),
      col('close_median_days', 'DOUBLE', 'Its median days from the as-of date to the close.'),
      col('close_log_sigma', 'DOUBLE', 'Its spread (log-normal sigma).'),
      col('slip_risk', 'DOUBLE', 'Probability the deal does not close in the period of the rep\'s date.'),
      col('top_positive_factors', 'VARCHAR', 'The features that raise the score most.'),
      col('top_negative_factors', 'VARCHAR', 'The features that lower it most.'),
      col('prediction_source', 'VARCHAR', 'What the win probability came from.'),
      col('amount_source', 'VARCHAR', 'What the expected amount came from.'),
      col('timing_source', 'VARCHAR', 'What the close timing came from.'),
    ],
  },
  // forecast
  {
    name: 'forecasts', stage: 'forecast', kind: 'table', key: ['as_of', 'period_type', 'period_start', 'segment_type', 'segment'],
    description: 'Every night\'s forecast per period and segment; `forecast.csv` holds the latest night.',
    columns: [
      ...PERIOD_COLUMNS,
      col('won_to_date', 'DOUBLE', 'Already won in the period.'),
      col('expected_open', 'DOUBLE', 'Expected bookings of the open deals.'),
      col('expected_new', 'DOUBLE', 'Expected bookings of deals not yet created.'),
      col('expected', 'DOUBLE', 'Won to date plus both expectations.'),
      col('p10', 'DOUBLE', '10th percentile of the simulated bookings.'),
      col('p50', 'DOUBLE', 'Median.'),
      col('p90', 'DOUBLE', '90th percentile.'),
      col('weighted_pipeline', 'DOUBLE', 'The CRM\'s stage-weighted pipeline (baseline).'),
      col('rep_commit', 'DOUBLE', 'The reps\' commit.'),
      col('rep_best_case', 'DOUBLE', 'The reps\' best case.'),
      col('rep_pipeline', 'DOUBLE', 'The reps\' pipeline.'),
      col('open_deals', 'INTEGER', 'Open deals counted.'),
      col('target', 'DOUBLE', 'The target, when a targets file is configured.'),
      col('attainment', 'DOUBLE', 'Won to date over the target.'),
      col('forecast_attainment', 'DOUBLE', 'Expected over the target.'),
      col('coverage', 'DOUBLE', 'Open pipeline over what is left of the target.'),
      col('model_version', 'VARCHAR', 'The model behind the scores.'),
      col('amount_source', 'VARCHAR', 'What the expected amounts came from.'),
      col('timing_source', 'VARCHAR', 'What the close timing came from.'),
    ],
  },
  // backtest
  {
    name: 'backtest', stage: 'backtest', kind: 'table', key: ['as_of', 'period_type', 'period_start', 'segment_type', 'segment'],
    description: 'The forecast recomputed as of the start of past quarters with models trained before each, beside what happened.',
    columns: [
      ...PERIOD_COLUMNS,
      col('actual', 'DOUBLE', 'What was booked in the period.'),
      col('expected', 'DOUBLE', 'The forecast.'),
      col('p10', 'DOUBLE', '10th percentile.'),
      col('p50', 'DOUBLE', 'Median.'),
      col('p90', 'DOUBLE', '90th percentile.'),
      col('weighted_pipeline', 'DOUBLE', 'The stage-weighted pipeline then.'),
      col('rep_commit', 'DOUBLE', 'The reps\' commit then.'),
      col('rep_best_case', 'DOUBLE', 'The reps\' best case then.'),
      col('rep_pipeline', 'DOUBLE', 'The reps\' pipeline then.'),
      col('expected_open', 'DOUBLE', 'Expected bookings of the deals open then.'),
      col('expected_new', 'DOUBLE', 'Expected bookings of deals not yet created then.'),
      col('model_version', 'VARCHAR', 'The model trained for that date.'),
    ],
  },
  {
    name: 'backtest_summary', stage: 'backtest', kind: 'table', key: ['method'],
    description: 'Accuracy of each forecasting method over the backtested periods.',
    columns: [
      col('method', 'VARCHAR', 'The method (the model, weighted pipeline, rep commit, ...).'),
      col('periods', 'INTEGER', 'Periods judged.'),
      col('accuracy', 'DOUBLE', '1 - WAPE.'),
      col('bias', 'DOUBLE', 'Mean signed error over actual.'),
      col('wape', 'DOUBLE', 'Weighted absolute percentage error.'),
      col('hit_rate_10', 'DOUBLE', 'Share of periods within 10% of actual.'),
      col('range_coverage', 'DOUBLE', 'Share of actuals inside P10..P90 (methods with a range).'),
    ],
  },
];

const BY_NAME = new Map(OUTPUT_TABLES.map((table) => [table.name, table]));

/** The declaration of a table a stage writes. */
export function outputTable(name: string): TableSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new Error(`table ${name} is not declared in pipeline/contract/output-tables.ts`);
  return spec;
}
