/**
 * forecast.json: expected bookings, weighted and unweighted pipeline by month of expected close; by
 * segment and rep category; the deal flow since the previous night; and, where the forecast stage
 * wrote them, the P10–P90 period forecasts and the backtest.
 */
import type { Forecast } from '../components/types.ts';
import { forecastBuckets } from './forecastBuckets.ts';
import { backtest, categoryForecast, dealFlow, rangeForecast, segmentForecast } from './forecastExtras.ts';
import { scoresHeader } from './latestScores.ts';
import { runLoader } from './runLoader.ts';

await runLoader('forecast', async (conn): Promise<Forecast> => {
  const header = await scoresHeader(conn);
  return {
    asOf: header.asOf,
    currency: header.currency,
    buckets: await forecastBuckets(conn, header.asOf),
    bySegment: await segmentForecast(conn),
    categories: await categoryForecast(conn),
    flow: await dealFlow(conn),
    range: await rangeForecast(conn),
    backtest: await backtest(conn),
  };
});
