import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';

/** Streams rows to a CSV file in batches, so a million-deal export never sits in memory. */
export class CsvWriter {
  private readonly stream: WriteStream;
  private batch: unknown[][] = [];
  rows = 0;

  constructor(path: string, private readonly columns: readonly string[]) {
    this.stream = createWriteStream(path);
    this.stream.write(stringify([columns as string[]]));
  }

  async write(row: readonly unknown[]): Promise<void> {
    this.batch.push(row as unknown[]);
    this.rows += 1;
    if (this.batch.length >= 2000) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const ok = this.stream.write(stringify(this.batch, { cast: { boolean: (value) => (value ? 'true' : 'false') } }));
    this.batch = [];
    if (!ok) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
