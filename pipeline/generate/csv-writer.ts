import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { spreadsheetSafe } from '../base/spreadsheet-safe-csv.ts';

export type CsvValue = string | number | boolean | null | undefined;

/** Rows gathered before they are handed to the file stream as one string. */
export const DEFAULT_BATCH_ROWS = 4096;

/**
 * Streams rows to a CSV file in batches, so a million-deal export never sits in memory: `write`
 * formats a row into the current batch (synchronously, as it runs once per row); every `batchRows`
 * rows the batch goes to the file stream. When the stream's buffer is full, `drain()` waits until
 * the disk has caught up: the generator calls it between deals, which bounds memory to about one
 * batch per file plus the stream's buffer.
 *
 * Output is RFC 4180 as csv-stringify writes it: a field is quoted only when it holds a comma, a
 * quote or a line break (quotes doubled); a text that a spreadsheet would run as a formula gets a
 * leading quote (../spreadsheet-safe-csv.ts); booleans are `true`/`false`; null and undefined are empty.
 */
export class CsvWriter {
  private readonly stream: WriteStream;
  private batch: string[] = [];
  rows = 0;
  /** Batches handed to the stream so far (the header counts as none). */
  flushes = 0;

  constructor(
    path: string,
    columns: readonly string[],
    private readonly batchRows = DEFAULT_BATCH_ROWS,
  ) {
    this.stream = createWriteStream(path);
    this.stream.write(formatRow(columns));
  }

  /** Rows formatted but not yet handed to the stream: never more than `batchRows`. */
  get pending(): number {
    return this.batch.length;
  }

  write(row: readonly CsvValue[]): void {
    this.batch.push(formatRow(row));
    this.rows += 1;
    if (this.batch.length >= this.batchRows) this.flush();
  }

  /** Waits while the file stream holds more than its buffer allows. */
  async drain(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.stream.write(this.batch.join(''));
    this.batch = [];
    this.flushes += 1;
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

function formatRow(row: readonly CsvValue[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += ',';
    const value = row[i];
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') {
      const text = spreadsheetSafe(value);
      line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    } else if (typeof value === 'boolean') line += value ? 'true' : 'false';
    else line += String(value);
  }
  return `${line}\n`;
}
