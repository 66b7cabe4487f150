/**
 * TEMPORARY adapter until models/index.ts exports `predictOpenDeals(conn, {modelsDir, log})`:
 * today's win model gives win probabilities only, so expected amounts, close timing and factors are
 * left out and the consumers fall back to the rep's amount and close date (see ./outlook.ts).
 * At the merge, replace the body of `predictOpenDeals` with the models' function; nothing else changes.
 */
import type { DuckDBConnection } from '../db.ts';
import { WuweiError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DealPredictions } from '../../models/predictions.ts';
import { loadActiveModel, predictWin } from '../../models/index.ts';

export async function predictOpenDeals(conn: DuckDBConnection, options: { modelsDir: string; log: Logger }): Promise<DealPredictions> {
  const model = await loadActiveModel(conn, options.modelsDir, options.log);
  if (!model) throw new WuweiError('no_model', 'no trained model yet: run `wuwei train` first');
  const predictions = await predictWin(model, conn, 'features_score');
  return { opportunityIds: predictions.opportunityIds, winProbabilities: predictions.probabilities, modelVersion: model.version, source: 'model' };
}
