/** forecast.json: expected bookings, weighted and unweighted pipeline by month of expected close. */
import type { Forecast } from '../components/types.ts';
import { forecastBuckets } from './forecastBuckets.ts';
import { scoresHeader } from './latestScores.ts';
import { runLoader } from './runLoader.ts';

await runLoader('forecast', async (conn): Promise<Forecast> => {
  const header = await scoresHeader(conn);
  return { asOf: header.asOf, currency: header.currency, buckets: await forecastBuckets(conn, header.asOf) };
});
