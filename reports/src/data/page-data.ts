/**
 * Every page's data, by the name of its loader (`<name>.json.ts` makes `data/<name>.json`). The
 * report stage runs these queries in its own process on one read-only connection and hands the
 * results to Framework as the loaders' cached output, so a build starts no loader process (each
 * one a TypeScript compile and a database open: most of the night's report time).
 */
import type { DuckDBConnection } from '../../../pipeline/base/db.ts';
import { accountsData } from './accounts.json.ts';
import { dataQualityData } from './data-quality.json.ts';
import { dealsData } from './deals.json.ts';
import { forecastData } from './forecast.json.ts';
import { modelData } from './model.json.ts';
import { movesData } from './moves.json.ts';
import { overviewData } from './overview.json.ts';
import { pipelineData } from './pipeline.json.ts';
import { relationshipsData } from './relationships.json.ts';

export const PAGE_DATA: Record<string, (conn: DuckDBConnection) => Promise<unknown>> = {
  accounts: accountsData,
  'data-quality': dataQualityData,
  deals: dealsData,
  forecast: forecastData,
  model: modelData,
  moves: movesData,
  overview: overviewData,
  pipeline: pipelineData,
  relationships: relationshipsData,
};
