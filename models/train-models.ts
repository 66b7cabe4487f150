/**
 * The train stage's entry: trains the win, deal-size and close-timing models, or, when the history
 * is too short (fewer than `minClassDeals` won or lost closed deals), says so in one line and
 * returns a summary instead of failing the run; scoring then falls back to the stage baseline.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { WuweiError } from '../pipeline/base/errors.ts';
import { trainWinModel, type TrainResult, type TrainWinOptions } from './win/train.ts';

export interface NotTrained {
  status: 'not_enough_data';
  message: string;
  /** What scoring will use instead. */
  fallback: 'stage_baseline' | 'previous_model';
}

export type TrainOutcome = (TrainResult & { status: 'trained' }) | NotTrained;

export async function trainModels(
  conn: DuckDBConnection,
  options: TrainWinOptions,
  hasActiveModel: () => Promise<boolean>,
): Promise<TrainOutcome> {
  try {
    return { status: 'trained', ...(await trainWinModel(conn, options)) };
  } catch (error) {
    if (!(error instanceof WuweiError) || error.code !== 'not_enough_data') throw error;
    const fallback = (await hasActiveModel()) ? 'previous_model' : 'stage_baseline';
    options.log.warn(
      `${error.message}: no new model; scores ${fallback === 'previous_model' ? 'keep using the active model' : 'fall back to the CRM stage probabilities (marked stage_baseline)'}`,
    );
    return { status: 'not_enough_data', message: error.message, fallback };
  }
}
