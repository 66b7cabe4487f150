/** The write-back formats, apart from their writers so that the CLI's help can name them without loading DuckDB. */
export type WritebackFormat = 'salesforce' | 'dynamics' | 'hubspot' | 'parquet';
export const WRITEBACK_FORMATS: WritebackFormat[] = ['salesforce', 'dynamics', 'hubspot', 'parquet'];
