import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvWriter, type CsvValue } from '../../pipeline/generate/csv-writer.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('CSV writer', () => {
  it('hands rows to the file in batches, never holding more than one batch', async () => {
    const path = join(tmp.dir, 'batches.csv');
    const writer = new CsvWriter(path, ['id', 'value'], 100);
    let mostPending = 0;
    for (let i = 0; i < 1050; i++) {
      writer.write([i, `row ${i}`]);
      mostPending = Math.max(mostPending, writer.pending);
      if (i % 50 === 0) await writer.drain();
    }
    expect(mostPending).toBe(99);
    expect(writer.flushes).toBe(10);
    expect(writer.pending).toBe(50);
    await writer.drain();
    // Ten batches are on their way to disk before the file is closed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(path).size).toBeGreaterThan(1000 * 'n,row n\n'.length);
    await writer.close();
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(1051);
  });

  it('writes what csv-stringify writes, quoting only where needed', async () => {
    const rows: CsvValue[][] = [
      ['plain', 12, 0.1, true, false, null, undefined, ''],
      ['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', -3.5e-7, 1e21, 'tab\tok', ' spaced '],
    ];
    const path = join(tmp.dir, 'quoting.csv');
    const writer = new CsvWriter(path, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    for (const row of rows) writer.write(row);
    await writer.close();
    const expected = stringify([['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], ...rows], {
      cast: { boolean: (value) => (value ? 'true' : 'false') },
    });
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });
});
