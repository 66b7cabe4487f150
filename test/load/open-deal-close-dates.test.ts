/**
 * An open deal's close date is the rep's guess: 'TBD', 2099 or a date before the deal was created
 * rejected the whole deal (with its roles and activities), and a night could lose a third of its
 * pipeline under the 5% reject limit, which counts every deal. The load now clears such a date and
 * keeps the deal; a closed deal's close date is a fact, and such a deal is still rejected.
 * The real stages from a flat export to the scores; the load of a history export.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { REJECT_REASONS } from '../../pipeline/load/index.ts';
import { wuweiInProcess } from '../helpers/cli.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const GUESSES = ['TBD', '2099-01-01', '2020-01-01'] as const;

/** Gives the first nine open deals a bad close date (three of each kind) and the first closed one a close before its creation. */
function spoilCloseDates(file: string): { open: string[]; closed: string } {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const columns = header!.split(',');
  const at = (name: string) => columns.indexOf(name);
  const open: string[] = [];
  let closed = '';
  const edited = lines.map((line) => {
    const fields = line.split(',');
    if (fields[at('is_closed')] === 'false' && open.length < 9) {
      fields[at('close_date')] = GUESSES[open.length % 3]!;
      open.push(fields[at('opportunity_id')]!);
    } else if (fields[at('is_closed')] === 'true' && !closed) {
      fields[at('close_date')] = '2020-01-01';
      closed = fields[at('opportunity_id')]!;
    }
    return fields.join(',');
  });
  writeFileSync(file, `${[header, ...edited].join('\n')}\n`);
  return { open, closed };
}

describe("open deals' close dates", () => {
  const tmp = tempDir('wuwei-close-dates-');
  afterAll(() => tmp.cleanup());

  // A flat export has no history to take a close date from: the whole night runs on it. A history
  // export's night reads the close date from the history, so its load is what is checked.
  for (const shape of ['flat', 'history'] as const) {
    const command = shape === 'flat' ? ['run', '--no-report'] : ['load'];
    it(`a bad one is cleared and the deal kept; a closed deal's is rejected (${shape} export, wuwei ${command[0]})`, async () => {
      const source = await smallExport(join(tmp.dir, shape), 400, 13, { shape });
      const db = join(tmp.dir, shape, 'wuwei.duckdb');
      const openInExport = readFileSync(join(source, 'opportunities.csv'), 'utf8')
        .split('\n')
        .filter((line) => line.includes(',false,false,')).length;
      const spoiled = spoilCloseDates(join(source, 'opportunities.csv'));
      expect(spoiled.open).toHaveLength(9);

      const night = await wuweiInProcess([...command, '--source', source, '--db', db]);
      expect(night.code, night.output).toBe(0);
      expect(night.output).toMatch(
        /9 open deals in \S+opportunities\.csv had an expected close date that is unreadable, implausible or before the deal was created \(line \d+: 'TBD', unreadable; line \d+: '2099-01-01', implausible; line \d+: '2020-01-01', before the deal was created\): the dates were cleared and the deals kept/,
      );

      await withDatabase(db, async (conn) => {
        const kept = await queryRows<{ id: string; close_date: string | null }>(
          conn,
          `SELECT opportunity_id AS id, close_date::VARCHAR AS close_date FROM opportunities
           WHERE opportunity_id IN (${spoiled.open.map((id) => `'${id}'`).join(', ')}) ORDER BY 1`,
        );
        expect(kept).toEqual([...spoiled.open].sort().map((id) => ({ id, close_date: null })));
        if (shape === 'flat') {
          // Every open deal of the export is scored, each with a close the models predicted.
          const [scores] = await queryRows<{ n: number; timed: number; spoiled: number }>(
            conn,
            `SELECT count(*)::INTEGER AS n, count(predicted_close_date)::INTEGER AS timed,
                    count(*) FILTER (WHERE opportunity_id IN (${spoiled.open.map((id) => `'${id}'`).join(', ')}))::INTEGER AS spoiled
             FROM scores`,
          );
          expect(scores).toEqual({ n: openInExport, timed: openInExport, spoiled: 9 });
        }
        const rejects = await queryRows<{ line: number; value: string; reason: string }>(
          conn,
          `SELECT line::INTEGER AS line, value, reason FROM load_rejects WHERE entity = 'opportunities'`,
        );
        expect(rejects).toEqual([
          { line: expect.any(Number), value: '2020-01-01', reason: REJECT_REASONS.closeBeforeCreation },
        ]);
        const [gone] = await queryRows<{ n: number }>(
          conn,
          `SELECT count(*)::INTEGER AS n FROM opportunities WHERE opportunity_id = '${spoiled.closed}'`,
        );
        expect(gone!.n).toBe(0);
        const warnings = await queryRows<{ topic: string }>(conn, `SELECT topic FROM load_warnings`);
        expect(warnings.map((w) => w.topic)).toContain('close dates');
      });
    }, 180_000);
  }
});
