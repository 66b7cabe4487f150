/**
 * No contact e-mail or name in the logs: the real nightly run (load with quarantined contact rows,
 * features, train, score, forecast, report), its --json summary and its run record, and a load that
 * fails on too many broken contact rows, name none of the export's contacts. The quarantine table
 * keeps the rejected values (to fix the export); the log does not repeat them.
 */
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { WITHHELD } from '../../pipeline/load/personal-data.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { wuwei } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

interface Contact {
  first: string;
  last: string;
  email: string;
}

describe('personal data stays out of the logs', () => {
  const tmp = tempDir('wuwei-privacy-');
  const source = join(tmp.dir, 'export');
  /** The export as generated, before any test breaks it. */
  const pristine = join(tmp.dir, 'pristine');
  let contacts: Contact[] = [];

  beforeAll(async () => {
    await generate({
      out: source,
      opportunities: 200,
      seed: 8,
      asOf: '2026-06-30',
      start: '2024-01-01',
      log: quietLogger,
    });
    const [header, ...rows] = readFileSync(join(source, 'contacts.csv'), 'utf8').trim().split('\n');
    const columns = header!.split(',');
    contacts = rows.map((line) => {
      const fields = line.split(',');
      const field = (name: string) => fields[columns.indexOf(name)]!;
      return { first: field('first_name'), last: field('last_name'), email: field('email') };
    });
    expect(contacts.length).toBeGreaterThan(100);
    cpSync(source, pristine, { recursive: true });
  });
  afterAll(() => tmp.cleanup());

  /** Breaks contact rows so that their whole lines (names and e-mails in them) are quarantined. */
  function breakContacts(rows: number[]): void {
    const path = join(source, 'contacts.csv');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    for (const row of rows) lines[row] = `${lines[row]},an extra field`; // malformed: one field too many
    lines[lines.length - 1] = lines.at(-1)!.replace(/,[^,]*$/, ',not a date'); // a bad created_date
    writeFileSync(path, `${lines.join('\n')}\n`);
  }

  /** Every contact's e-mail, and full name, and the names on their own as words. */
  function leaks(text: string): string[] {
    const found: string[] = [];
    for (const c of contacts) {
      if (text.includes(c.email)) found.push(c.email);
      if (text.includes(`${c.first} ${c.last}`)) found.push(`${c.first} ${c.last}`);
      for (const name of [c.first, c.last]) if (new RegExp(`\\b${name}\\b`).test(text)) found.push(name);
    }
    return [...new Set(found)];
  }

  it('the nightly run with quarantined contact rows: no name or e-mail in its output or run record', async () => {
    breakContacts([3]);
    const db = join(tmp.dir, 'night', 'wuwei.duckdb');
    const run = await wuwei(['run', '--source', source, '--db', db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const records = readdirSync(join(tmp.dir, 'night', 'runs')).map((file) =>
      readFileSync(join(tmp.dir, 'night', 'runs', file), 'utf8'),
    );
    expect(records).toHaveLength(1);

    // the quarantine table keeps the whole line of the malformed row: this is what the log must not repeat
    const rejects = await withDatabase(db, (conn) =>
      queryRows<{ value: string | null }>(conn, `SELECT value FROM load_rejects WHERE entity = 'contacts'`),
    );
    expect(leaks(rejects.map((r) => r.value).join('\n')).length).toBeGreaterThan(0);

    expect(run.stderr).toMatch(/loaded contacts: \d+ rows, 2 rejected/);
    expect(leaks(run.stdout)).toEqual([]);
    expect(leaks(run.stderr)).toEqual([]);
    expect(leaks(records.join('\n'))).toEqual([]);
  });

  it('a load that fails on too many broken contact rows: its one-line message names lines, not people', async () => {
    breakContacts(Array.from({ length: Math.ceil(contacts.length / 10) }, (_, i) => i + 5)); // 10% of them
    const db = join(tmp.dir, 'failing', 'wuwei.duckdb');
    const run = await wuwei(['run', '--source', source, '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/contacts\.csv: \d+ of \d+ contacts rows rejected .*e\.g\. line \d+: malformed row/);
    expect(leaks(run.stderr)).toEqual([]);
    const records = readdirSync(join(tmp.dir, 'failing', 'runs')).map((file) =>
      readFileSync(join(tmp.dir, 'failing', 'runs', file), 'utf8'),
    );
    expect(leaks(records.join('\n'))).toEqual([]);
  });
  /** An export whose contacts are keyed by e-mail (roles and participants point at them by e-mail), `duplicates` contact rows repeated. */
  function keyedByEmail(dir: string, duplicates: number): void {
    cpSync(pristine, dir, { recursive: true });
    const [header, ...rows] = readFileSync(join(dir, 'contacts.csv'), 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const emailOf = new Map(rows.map((line) => [line.split(',')[0]!, line.split(',')[columns.indexOf('email')]!]));
    const keyed = rows.map((line) => [emailOf.get(line.split(',')[0]!)!, ...line.split(',').slice(1)].join(','));
    writeFileSync(join(dir, 'contacts.csv'), `${[header, ...keyed, ...keyed.slice(0, duplicates)].join('\n')}\n`);
    for (const file of ['opportunity_contact_roles.csv', 'activity_participants.csv']) {
      const text = readFileSync(join(dir, file), 'utf8');
      writeFileSync(
        join(dir, file),
        text.replace(/\bC\d+\b/g, (id) => emailOf.get(id) ?? id),
      );
    }
  }

  it('contacts keyed by e-mail: the failing load, load_rejects.csv and the data-quality page show lines, not e-mails', async () => {
    const failing = join(tmp.dir, 'by-email-failing');
    keyedByEmail(failing, Math.ceil(contacts.length / 10));
    const db = join(tmp.dir, 'by-email-failing-db', 'wuwei.duckdb');
    const load = await wuwei(['load', '--source', failing, '--db', db]);
    expect(load.code).toBe(1);
    expect(load.stderr).toMatch(
      /contacts\.csv: \d+ of \d+ contacts rows rejected .*duplicate key.*e\.g\. line \d+, column contact_id: duplicate key/,
    );
    expect(leaks(load.stderr)).toEqual([]);
    const rejectsCsv = readFileSync(join(tmp.dir, 'by-email-failing-db', 'out', 'load_rejects.csv'), 'utf8');
    expect(rejectsCsv).toContain(WITHHELD);
    expect(leaks(rejectsCsv)).toEqual([]);
    // With personal data allowed in the config, the same file names them: the check above can fail.
    const config = join(tmp.dir, 'allowed.yaml');
    writeFileSync(config, 'report:\n  showPersonalData: true\n');
    const allowed = await wuwei([
      'load',
      '--source',
      failing,
      '--db',
      join(tmp.dir, 'by-email-allowed', 'wuwei.duckdb'),
      '--config',
      config,
    ]);
    expect(allowed.code).toBe(1);
    expect(
      leaks(readFileSync(join(tmp.dir, 'by-email-allowed', 'out', 'load_rejects.csv'), 'utf8')).length,
    ).toBeGreaterThan(0);

    // Under the threshold the load goes through; the data-quality page's loader names line and column only.
    const passing = join(tmp.dir, 'by-email-passing');
    keyedByEmail(passing, 3);
    const passingDb = join(tmp.dir, 'by-email-passing-db', 'wuwei.duckdb');
    expect((await wuwei(['load', '--source', passing, '--db', passingDb])).code).toBe(0);
    const page = async (show: boolean) => {
      const env = { ...process.env, WUWEI_DB: passingDb, WUWEI_SHOW_PERSONAL_DATA: String(show) };
      const loader = join(import.meta.dirname, '..', '..', 'reports', 'src', 'data', 'data-quality.json.ts');
      return (
        await promisify(execFile)(process.execPath, ['--import', 'tsx', loader], { env, maxBuffer: 64 * 1024 * 1024 })
      ).stdout;
    };
    const withheld = await page(false);
    expect(JSON.parse(withheld).examples.filter((e: { entity: string }) => e.entity === 'contacts')).toHaveLength(3);
    expect(leaks(withheld)).toEqual([]);
    expect(leaks(await page(true)).length, 'allowed, the values show: the check above can fail').toBeGreaterThan(0);
  });
});
