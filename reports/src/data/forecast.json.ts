/**
 * forecast.json: the forecast stage's periods (quarters and months, P10/P50/P90 beside the CRM's
 * numbers and the target), the headline quarter per owner, team, region and product line, the
 * backtest, and what changed since the previous night. Read as written, never recomputed.
 */
import type { Forecast } from '../components/types.ts';
import { forecastFigures, segmentForecasts } from './forecastFigures.ts';
import { scoresHeader } from './latestScores.ts';
import { nightChanges } from './nightChanges.ts';
import type { DuckDBConnection } from '../../../pipeline/base/db.ts';
import { runLoaderAsScript } from './runLoader.ts';

/** The forecast page's data, from the run's database. */
export async function forecastData(conn: DuckDBConnection): Promise<Forecast> {
  const header = await scoresHeader(conn);
  const forecast = await forecastFigures(conn);
  const quarter = forecast.quarter;
  return {
    asOf: header.asOf,
    currency: header.currency,
    forecast,
    segments: quarter ? await segmentForecasts(conn, quarter.periodStart, quarter.periodType) : [],
    night: await nightChanges(conn, header.asOf, quarter?.periodStart ?? null),
  };
}

await runLoaderAsScript(import.meta.url, 'forecast', forecastData);
