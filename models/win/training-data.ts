/**
 * Training step 1, the data: closed-deal observations read from the feature table and split by close
 * date into fit | validation | holdout, refused in one line when an outcome is too rare to learn or judge.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { WuweiError } from '../../pipeline/base/errors.ts';
import type { Logger } from '../../pipeline/base/log.ts';
import { featureColumnsOf } from '../../pipeline/features/feature-columns.ts';
import { readCreationDays } from './censoring-weights.ts';
import { readClosedObservations, type ClosedObservations, type HistorySample } from './data.ts';
import { dayToIsoDate, joinParts, splitByCloseDate, type SplitPart, type TimeSplit } from './split.ts';

export interface TrainingData {
  data: ClosedObservations & { sample: HistorySample };
  split: TimeSplit;
  /** Fit and validation together: the deals the model learns from. */
  train: SplitPart;
  /** Creation day of every deal known at the cut, closed or open, ascending (censoring-weights.ts). */
  createdDays: Float64Array;
  readSeconds: number;
}

export interface TrainingDataOptions {
  table: string;
  /** Numeric features that must be in the table; numeric `custom_` columns are added. */
  featureNames: readonly string[];
  /** Categorical features; default: `stage` and the text `custom_` columns the table has. */
  categorical?: readonly string[] | undefined;
  maxTrainingDeals: number;
  holdoutFraction: number;
  validationFraction: number;
  minClassDeals: number;
  log: Logger;
}

export async function readTrainingData(conn: DuckDBConnection, options: TrainingDataOptions): Promise<TrainingData> {
  const { table, featureNames, log } = options;
  const started = performance.now();
  const discovered = await featureColumnsOf(conn, table, []);
  const numeric = [...featureNames, ...discovered.numeric.filter((name) => !featureNames.includes(name))];
  const categorical = options.categorical ?? discovered.categorical;
  const data = await readClosedObservations(
    conn,
    table,
    { numeric, categorical },
    { maxDeals: options.maxTrainingDeals },
  );
  if (data.sample.sampledDeals < data.sample.closedDeals) {
    log.info(
      `history sampled: ${data.sample.sampledDeals} of ${data.sample.closedDeals} closed deals (models.maxTrainingDeals), drawn evenly over the whole history`,
    );
  }
  const split = splitByCloseDate(data.opportunityIds, data.closeDays, data.labels, {
    holdoutFraction: options.holdoutFraction,
    validationFraction: options.validationFraction,
  });
  const all = joinParts(joinParts(split.fit, split.validation), split.holdout);
  if (all.wonDeals < options.minClassDeals || all.lostDeals < options.minClassDeals) {
    throw new WuweiError(
      'not_enough_data',
      `${table} has ${all.wonDeals} won and ${all.lostDeals} lost closed deals; training needs at least ${options.minClassDeals} of each`,
    );
  }
  for (const [name, part] of Object.entries(split)) {
    if (part.wonDeals === 0 || part.lostDeals === 0) {
      throw new WuweiError(
        'not_enough_data',
        `the ${name} split (by close date) has ${part.wonDeals} won and ${part.lostDeals} lost deals: it needs both outcomes`,
      );
    }
  }
  log.info(
    `${table}: ${data.rowCount} observations of ${all.deals} closed deals (${all.wonDeals} won); ` +
      `fit ${describe(split.fit)}, validation ${describe(split.validation)}, holdout ${describe(split.holdout)}`,
  );
  return {
    data,
    split,
    train: joinParts(split.fit, split.validation),
    createdDays: await readCreationDays(conn, [table, SCORING_TABLE]),
    readSeconds: (performance.now() - started) / 1000,
  };
}

/** The open deals at the cut: their creation dates count in the censoring weights. */
const SCORING_TABLE = 'features_score';

/** How many observations and deals the model learned from and was judged on, and their close dates. */
export function splitFacts({ split, train }: TrainingData) {
  return {
    nTrainObs: train.rows.length,
    nTrainDeals: train.deals,
    nHoldoutObs: split.holdout.rows.length,
    nHoldoutDeals: split.holdout.deals,
    trainFrom: dayToIsoDate(train.fromDay),
    trainTo: dayToIsoDate(train.toDay),
    holdoutFrom: dayToIsoDate(split.holdout.fromDay),
    holdoutTo: dayToIsoDate(split.holdout.toDay),
  };
}

function describe(part: SplitPart): string {
  return `${part.deals} deals / ${part.rows.length} obs (${dayToIsoDate(part.fromDay)}..${dayToIsoDate(part.toDay)})`;
}
