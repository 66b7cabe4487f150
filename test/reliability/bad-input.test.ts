/**
 * The bad-input corpus: every way an export (or its mapping or config) can be broken, as one table
 * of cases, each driven through the real `wuwei` CLI code (in process, real DuckDB file) into a
 * database that already holds a good export. Each case ends in one of three ways:
 *  - `fails`: exit 1 and one line `wuwei: ...` naming the file (and line and column where they
 *    apply), and the database exactly as the good load left it;
 *  - `quarantines`: the load succeeds and the broken rows sit in `load_rejects` with file, line,
 *    column and reason;
 *  - `loads`: a documented behaviour (decoded, sniffed, kept as a custom attribute, fallback).
 * Whatever the outcome: no stack trace in the output.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { canonicalMapping } from '../../pipeline/load/mapping/layouts.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { databaseContents } from '../load/export-fixture.ts';
import { wuweiInProcess as cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const AS_OF = '2026-06-30';

/** An export folder being broken: its CSV files as text, edited in place. */
class Export {
  constructor(readonly dir: string) {}
  path(file: string): string {
    return join(this.dir, file);
  }
  text(entity: string): string {
    return readFileSync(this.path(`${entity}.csv`), 'utf8');
  }
  write(entity: string, content: string | Buffer): void {
    writeFileSync(this.path(`${entity}.csv`), content);
  }
  lines(entity: string): string[] {
    return this.text(entity).replace(/\n$/, '').split('\n');
  }
  writeLines(entity: string, lines: string[]): void {
    this.write(entity, `${lines.join('\n')}\n`);
  }
  /** Sets `column` of data row `row` (1 = first after the header; the generator quotes no field). */
  set(entity: string, row: number, column: string, value: string): void {
    const lines = this.lines(entity);
    const index = lines[0]!.split(',').indexOf(column);
    if (index < 0) throw new Error(`no column ${column} in ${entity}`);
    const fields = lines[row]!.split(',');
    fields[index] = value;
    lines[row] = fields.join(',');
    this.writeLines(entity, lines);
  }
  /** Every data row of `entity` through `edit` (fields by column name). */
  mapRows(entity: string, edit: (row: Record<string, string>) => Record<string, string>): void {
    const [header, ...rows] = this.lines(entity);
    const columns = header!.split(',');
    const edited = rows.map((line) => {
      const fields = line.split(',');
      const row = edit(Object.fromEntries(columns.map((c, i) => [c, fields[i] ?? ''])));
      return columns.map((c) => row[c] ?? '').join(',');
    });
    this.writeLines(entity, [header!, ...edited]);
  }
}

interface Reject {
  entity: string;
  line: number;
  column: string | null;
  reason: string | RegExp;
}

type Outcome =
  /** Exit 1, one line matching, nothing changed. */
  | { fails: RegExp }
  /** Loads; these rows are quarantined (at least these; others only of the listed entities' children). */
  | { quarantines: Reject[] }
  /** Loads (or runs) as documented; `check` proves the documented behaviour. */
  | { loads: string };

interface BadInput {
  name: string;
  /** How the export is broken. */
  breaks: (ex: Export, dir: string) => void;
  outcome: Outcome;
  /** The command to run (default: load). `src` is the broken export, `db` the database. */
  command?: (src: string, db: string, dir: string) => string[];
  /** Checks of the documented behaviour, against the database after the command, and its output. */
  check?: (db: string, output: string, dir: string) => Promise<void>;
}

const opportunityCount = (db: string) => count(db, 'opportunities');

const CASES: BadInput[] = [
  {
    name: 'truncated file (cut in the middle of the last row)',
    breaks: (ex) => ex.write('opportunities', ex.text('opportunities').slice(0, -40)),
    outcome: { quarantines: [{ entity: 'opportunities', line: 201, column: null, reason: /^malformed row/ }] },
  },
  {
    name: 'truncated file (cut inside a quoted field)',
    breaks: (ex) => {
      const lines = ex.lines('accounts');
      lines[lines.length - 1] = `${lines.at(-1)!.split(',')[0]},"Unfinished name`;
      ex.write('accounts', lines.join('\n'));
    },
    outcome: { quarantines: [{ entity: 'accounts', line: 41, column: null, reason: /^malformed row/ }] },
  },
  {
    name: 'wrong delimiter (tab-separated in a .csv file)',
    breaks: (ex) => ex.write('accounts', ex.text('accounts').replaceAll(',', '\t')),
    outcome: { loads: 'the delimiter is sniffed: every account loads' },
    check: async (db) => expect(await count(db, 'accounts')).toBe(40),
  },
  {
    name: 'wrong delimiter (semicolon, as European Excel writes)',
    breaks: (ex) => ex.write('opportunities', ex.text('opportunities').replaceAll(',', ';')),
    outcome: { loads: 'the delimiter is sniffed: every deal loads' },
    check: async (db) => expect(await opportunityCount(db)).toBe(200),
  },
  {
    name: 'Latin-1 file (an ü as one byte)',
    breaks: (ex) => {
      ex.set('accounts', 3, 'name', 'Müller GmbH');
      ex.write('accounts', Buffer.from(ex.text('accounts'), 'latin1'));
    },
    outcome: { fails: /accounts\.csv, line 4: not UTF-8 \(byte 0xfc at offset \d+\).*encoding: latin-1/ },
  },
  {
    name: 'Latin-1 file declared in the mapping',
    breaks: (ex, dir) => {
      ex.set('accounts', 3, 'name', 'Müller GmbH');
      ex.write('accounts', Buffer.from(ex.text('accounts'), 'latin1'));
      writeFileSync(join(dir, 'latin1.yaml'), canonicalMappingYaml({ encoding: 'latin-1' }));
    },
    command: (src, db, dir) => ['load', '--source', src, '--db', db, '--mapping', join(dir, 'latin1.yaml')],
    outcome: { loads: 'decoded as Latin-1' },
    check: async (db) => expect(await names(db)).toContain('Müller GmbH'),
  },
  {
    name: 'UTF-16 file (with its byte-order mark)',
    breaks: (ex) => {
      ex.set('accounts', 3, 'name', 'Müller GmbH');
      ex.write('accounts', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ex.text('accounts'), 'utf16le')]));
    },
    outcome: { loads: 'UTF-16 is recognised by its byte-order mark and decoded' },
    check: async (db) => expect(await names(db)).toContain('Müller GmbH'),
  },
  {
    name: 'UTF-16 big-endian file',
    breaks: (ex) =>
      ex.write(
        'accounts',
        Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(ex.text('accounts'), 'utf16le').swap16()]),
      ),
    outcome: {
      fails: /accounts\.csv: UTF-16 big-endian \(byte-order mark FE FF\) cannot be read: save the file as UTF-8/,
    },
  },
  {
    name: 'UTF-16 file without a byte-order mark',
    breaks: (ex) => ex.write('accounts', Buffer.from(ex.text('accounts'), 'utf16le')),
    outcome: { fails: /accounts\.csv: NUL bytes in the first 4096 bytes: UTF-16 without a byte-order mark/ },
  },
  {
    name: "Latin-1 byte deep in a large file (past the sniffer's sample)",
    breaks: (ex) => {
      const extra = Array.from({ length: 30_000 }, (_, i) => `T000000001,user,X${i}`);
      ex.write(
        'activity_participants',
        Buffer.concat([
          Buffer.from(`${ex.lines('activity_participants').concat(extra).join('\n')}\n`),
          Buffer.from('T000000001,contact,M\xfcller\n', 'latin1'),
        ]),
      );
    },
    outcome: { fails: /activity_participants\.csv, line 38522: not UTF-8 \(byte 0xfc at offset \d+\)/ },
  },
  {
    name: 'UTF-8 byte-order mark',
    breaks: (ex) => ex.write('accounts', `\ufeff${ex.text('accounts')}`),
    outcome: { loads: 'the BOM is skipped: the first column is account_id' },
    check: async (db) => expect(await count(db, 'accounts')).toBe(40),
  },
  {
    name: 'quoted line breaks inside a field',
    breaks: (ex) => {
      ex.set('opportunities', 5, 'amount', 'lots');
      ex.set('opportunities', 1, 'name', '"First line\nsecond line"');
    },
    // the bad amount is on data row 5, which sits on physical line 7 because of the break in row 1
    outcome: { quarantines: [{ entity: 'opportunities', line: 7, column: 'amount', reason: 'unparseable number' }] },
  },
  {
    name: 'duplicate header names',
    breaks: (ex) =>
      ex.writeLines(
        'accounts',
        ex.lines('accounts').map((line, i) => `${line},${i === 0 ? 'name' : 'x'}`),
      ),
    outcome: { fails: /accounts\.csv, line 1: duplicate column 'name' \(columns 2 and 10\)/ },
  },
  {
    name: 'missing required column',
    breaks: (ex) =>
      ex.writeLines(
        'opportunities',
        ex.lines('opportunities').map((line) =>
          line
            .split(',')
            .filter((_, i) => i !== 10)
            .join(','),
        ),
      ),
    outcome: { fails: /opportunities\.csv, line 1: missing required column 'stage'/ },
  },
  {
    name: 'extra unknown columns',
    breaks: (ex) =>
      ex.writeLines(
        'opportunities',
        ex.lines('opportunities').map((line, i) => `${line},${i === 0 ? 'region_code' : 'R7'}`),
      ),
    outcome: { loads: 'kept as a custom attribute of the deals' },
    check: async (db, output) => {
      expect(output).toMatch(/"region_code"/);
      expect(await opportunityCount(db)).toBe(200);
    },
  },
  {
    name: 'wrong types (text in a number, a date that is not one)',
    breaks: (ex) => {
      ex.set('opportunities', 2, 'amount', 'about 5k');
      ex.set('opportunities', 3, 'created_date', 'last spring');
    },
    outcome: {
      quarantines: [
        { entity: 'opportunities', line: 3, column: 'amount', reason: 'unparseable number' },
        { entity: 'opportunities', line: 4, column: 'created_date', reason: 'unparseable date' },
      ],
    },
  },
  {
    name: 'a field of a million characters',
    breaks: (ex) => ex.set('opportunities', 2, 'name', 'x'.repeat(1_000_000)),
    outcome: { loads: 'the value is kept whole' },
    check: async (db, output) => {
      const [row] = await query<{ n: number }>(
        db,
        `SELECT length(name)::INTEGER AS n FROM opportunities WHERE name LIKE 'xxx%'`,
      );
      expect(row!.n).toBe(1_000_000);
      expect(output.length).toBeLessThan(20_000);
    },
  },
  {
    name: 'mixed date formats in one column',
    breaks: (ex) => {
      ex.set('opportunities', 1, 'created_date', '2024-03-01');
      ex.set('opportunities', 2, 'created_date', '03/01/2024');
      ex.set('opportunities', 3, 'created_date', '01.03.2024');
      ex.set('opportunities', 4, 'created_date', '2024/03/01');
      ex.set('opportunities', 5, 'created_date', '1 March 2024');
      for (const row of [1, 2, 3, 4, 5]) ex.set('opportunities', row, 'close_date', '2024-12-31');
    },
    // ISO, US month-first with slashes, European day-first with dots, year-first with slashes are read; prose is not
    outcome: {
      quarantines: [{ entity: 'opportunities', line: 6, column: 'created_date', reason: 'unparseable date' }],
    },
    check: async (db) => {
      const rows = await query<{ d: string }>(
        db,
        `SELECT strftime(created_date, '%Y-%m-%d') AS d FROM opportunities WHERE opportunity_id IN ('O0000001', 'O0000002', 'O0000003', 'O0000004')`,
      );
      expect(rows.map((r) => r.d)).toEqual(['2024-03-01', '2024-03-01', '2024-03-01', '2024-03-01']);
    },
  },
  {
    name: 'negative, NaN, infinite and absurd amounts',
    breaks: (ex) => {
      ex.set('opportunities', 1, 'amount', '-5000');
      ex.set('opportunities', 2, 'amount', 'NaN');
      ex.set('opportunities', 3, 'amount', 'Infinity');
      ex.set('opportunities', 4, 'amount', '1e300');
    },
    outcome: {
      quarantines: [
        { entity: 'opportunities', line: 2, column: 'amount', reason: 'negative amount' },
        { entity: 'opportunities', line: 3, column: 'amount', reason: 'unparseable number' },
        { entity: 'opportunities', line: 4, column: 'amount', reason: 'unparseable number' },
        { entity: 'opportunities', line: 5, column: 'amount', reason: 'amount out of range' },
      ],
    },
  },
  {
    name: 'duplicate ids',
    // the first deal again, with another amount, at the end: the first row with a key is kept
    breaks: (ex) =>
      ex.writeLines('opportunities', [
        ...ex.lines('opportunities'),
        ex.lines('opportunities')[1]!.replace(/,\d+$/, ',999'),
      ]),
    outcome: {
      quarantines: [{ entity: 'opportunities', line: 202, column: 'opportunity_id', reason: 'duplicate key' }],
    },
  },
  {
    name: 'references to missing parents',
    breaks: (ex) => ex.set('opportunities', 1, 'account_id', 'A999999'),
    outcome: {
      quarantines: [
        { entity: 'opportunities', line: 2, column: 'account_id', reason: 'reference to a missing parent' },
      ],
    },
  },
  {
    name: 'cyclic parent accounts (and a manager cycle)',
    breaks: (ex) => {
      ex.writeLines(
        'accounts',
        ex
          .lines('accounts')
          .map(
            (line, i) => `${line},${i === 0 ? 'parent_account_id' : i === 1 ? 'A000002' : i === 2 ? 'A000001' : ''}`,
          ),
      );
      ex.mapRows('users', (row) => ({
        ...row,
        manager_id: row['user_id'] === 'U00001' ? 'U00002' : row['manager_id']!,
      }));
    },
    command: (src, db) => ['load', '--source', src, '--db', db, '--json'],
    outcome: {
      loads:
        'no hierarchy is followed: parent_account_id is a custom attribute and manager_id a plain value, so a cycle cannot loop',
    },
    check: async (db, output) => {
      expect(output).toMatch(/"parent_account_id"/);
      expect(await count(db, 'accounts')).toBe(40);
      expect(await count(db, 'users')).toBe(17);
      // and the features, which read accounts and users, are built without following either cycle
      const features = await cli(['features', '--db', db]);
      expect(features.code, features.output).toBe(0);
    },
  },
  {
    name: 'empty file (0 bytes) for a required entity',
    breaks: (ex) => ex.write('opportunities', ''),
    outcome: { fails: /opportunities\.csv: empty file \(0 bytes\)/ },
  },
  {
    name: 'empty file (0 bytes) for an optional entity',
    breaks: (ex) => ex.write('opportunity_competitors', ''),
    outcome: { fails: /opportunity_competitors\.csv: empty file \(0 bytes\)/ },
  },
  {
    name: 'header only for a required entity',
    breaks: (ex) => ex.writeLines('opportunities', ex.lines('opportunities').slice(0, 1)),
    outcome: { fails: /opportunities\.csv: no rows, only a header.*nothing was loaded/ },
  },
  {
    name: 'header only for an optional entity',
    breaks: (ex) => ex.writeLines('opportunity_competitors', ex.lines('opportunity_competitors').slice(0, 1)),
    outcome: { loads: 'loads with no competitors' },
    check: async (db) => expect(await count(db, 'opportunity_competitors')).toBe(0),
  },
  {
    name: 'an export whose as-of date is older than the last snapshot',
    breaks: (ex) => writeFileSync(ex.path('as_of.txt'), '2026-05-31\n'),
    outcome: { fails: /as of 2026-05-31 is older than the last snapshot \(2026-06-30\)/ },
  },
  {
    name: 'a mapping file with an unknown field',
    breaks: (_ex, dir) => writeFileSync(join(dir, 'typo.yaml'), 'name: typo\nentitys: {}\n'),
    command: (src, db, dir) => ['load', '--source', src, '--db', db, '--mapping', join(dir, 'typo.yaml')],
    outcome: { fails: /typo\.yaml: unknown field 'entitys'/ },
  },
  {
    name: 'a config with a wrong type',
    breaks: (_ex, dir) => writeFileSync(join(dir, 'bad.yaml'), 'forecast:\n  months: three\n'),
    command: (src, db, dir) => ['load', '--source', src, '--db', db, '--config', join(dir, 'bad.yaml')],
    outcome: { fails: /bad\.yaml: forecast\.months: expected number, received string/ },
  },
  // Issue 15, part B: nothing executable or silently wrong gets in.
  {
    name: 'an export folder whose name holds glob characters ([1]) beside a sibling it would match',
    breaks: (ex, dir) => {
      cpSync(ex.dir, join(dir, 'exp[1]'), { recursive: true });
      cpSync(ex.dir, join(dir, 'exp1'), { recursive: true });
      const sibling = new Export(join(dir, 'exp1'));
      sibling.writeLines('opportunities', sibling.lines('opportunities').slice(0, 51));
    },
    command: (_src, db, dir) => ['load', '--source', join(dir, 'exp[1]'), '--db', db],
    outcome: { loads: 'the path is read literally: all 200 deals of exp[1], none of the 50 in exp1' },
    check: async (db) => expect(await opportunityCount(db)).toBe(200),
  },
  {
    name: 'amounts with European thousands (25.000) and no decimal_separator',
    breaks: (ex) =>
      ex.mapRows('opportunities', (row) => ({
        ...row,
        amount: `${Math.max(1, Math.round(Number(row['amount']) / 1000))}.000`,
      })),
    outcome: {
      fails:
        /opportunities\.csv, line \d+, column 'amount': numbers such as '\d+\.000' look like thousands .*decimal_separator: ','/,
    },
  },
  {
    name: "probabilities written '75%' and amounts written '$11,000.00' (vendor exports)",
    breaks: (ex) =>
      ex.mapRows('opportunities', (row) => ({
        ...row,
        probability: row['probability'] ? `${Math.round(Number(row['probability']) * 100)}%` : '',
        amount: `"$${Number(Number(row['amount']).toFixed(2)).toLocaleString('en-US', { minimumFractionDigits: 2 })}"`,
      })),
    outcome: { loads: 'read as 0.75 and 11000 (the same values as the plain export)' },
    check: async (db, _output, dir) =>
      expect(await dealNumbers(db)).toEqual(await dealNumbers(join(dir, '..', 'template', 'wuwei.duckdb'))),
  },
  {
    name: 'probabilities as percentages 0..100, one of them 150',
    breaks: (ex) => {
      ex.mapRows('opportunities', (row) => ({
        ...row,
        probability: row['probability'] ? String(Math.round(Number(row['probability']) * 100)) : '',
      }));
      ex.set('opportunities', 7, 'probability', '150');
    },
    outcome: {
      quarantines: [
        {
          entity: 'opportunities',
          line: 8,
          column: 'probability',
          reason: 'probability or share outside 0..1 \\(or 0..100%\\)',
        },
      ],
    },
    check: async (db) => {
      const [p] = await query<{ max: number; n: number }>(
        db,
        `SELECT max(probability) AS max, count(*) FILTER (probability > 0.5)::INTEGER AS n FROM opportunities`,
      );
      expect(p!.max).toBeLessThanOrEqual(1);
      expect(p!.n).toBeGreaterThan(0);
    },
  },
  {
    name: 'deals created in year 1 and closing in 1900 (implausible dates)',
    breaks: (ex) => {
      ex.set('opportunities', 3, 'created_date', '0001-01-01');
      ex.set('opportunities', 4, 'close_date', '1900-01-01');
    },
    outcome: {
      quarantines: [
        { entity: 'opportunities', line: 4, column: 'created_date', reason: 'implausible date' },
        { entity: 'opportunities', line: 5, column: 'close_date', reason: 'implausible date' },
      ],
    },
  },
  {
    name: 'an as_of.txt that is no calendar date (2024-02-30)',
    breaks: (ex) => writeFileSync(ex.path('as_of.txt'), '2024-02-30\n'),
    outcome: { fails: /as_of\.txt.*'2024-02-30'/ },
  },
  {
    name: 'NDJSON nested 100,000 levels deep (1.2 MB)',
    breaks: (ex) => {
      rmSync(ex.path('opportunity_competitors.csv'));
      writeFileSync(
        ex.path('opportunity_competitors.ndjson'),
        `{"opportunity_id":"x","competitor":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`,
      );
    },
    outcome: { fails: /opportunity_competitors\.ndjson, line 1: JSON nested more than 1000 levels deep/ },
  },
  {
    name: 'a FIFO instead of a file (would block the read forever)',
    breaks: (ex) => {
      rmSync(ex.path('opportunity_competitors.csv'));
      execFileSync('mkfifo', [ex.path('opportunity_competitors.csv')]);
    },
    outcome: { fails: /opportunity_competitors\.csv: not a regular file/ },
  },
  {
    name: 'a symlink to a file that is no export (/etc/passwd): its content is never echoed',
    breaks: (ex) => {
      rmSync(ex.path('opportunity_competitors.csv'));
      symlinkSync('/etc/passwd', ex.path('opportunity_competitors.csv'));
    },
    outcome: {
      fails:
        /opportunity_competitors\.csv, line 1: missing required column 'opportunity_id' .*first line has 1 column\)/,
    },
    check: async (_db, output) => expect(output).not.toMatch(/root:/),
  },
  {
    name: 'a 20 MB field (a pasted document in an account name)',
    breaks: (ex) => ex.set('accounts', 5, 'name', 'x'.repeat(20_000_000)),
    outcome: { loads: 'long lines are read: the field loads whole' },
    check: async (db) =>
      expect((await query<{ n: number }>(db, `SELECT max(length(name))::INTEGER AS n FROM accounts`))[0]!.n).toBe(
        20_000_000,
      ),
  },
  {
    name: 'a mapping with a date_format DuckDB does not know',
    breaks: (_ex, dir) => {
      const mapping = canonicalMapping();
      mapping.entities.accounts![0]!.date_format = '%Q.%m';
      writeFileSync(join(dir, 'format.yaml'), stringifyYaml(mapping));
    },
    command: (src, db, dir) => ['load', '--source', src, '--db', db, '--mapping', join(dir, 'format.yaml')],
    outcome: { fails: /entities\.accounts\[0\]\.date_format '%Q\.%m' is not a date format/ },
  },
  {
    name: 'a mapping with first_of nested 5,000 deep',
    breaks: (_ex, dir) => {
      const mapping = canonicalMapping();
      (mapping.entities.accounts![0]!.columns as Record<string, unknown>)['name'] = 'DEEP';
      const deep = `${'{"first_of":['.repeat(5_000)}"name"${']}'.repeat(5_000)}`; // JSON.stringify itself would overflow
      writeFileSync(join(dir, 'deep.json'), JSON.stringify(mapping).replace('"DEEP"', deep));
    },
    command: (src, db, dir) => ['load', '--source', src, '--db', db, '--mapping', join(dir, 'deep.json')],
    outcome: { fails: /deep\.json: nested more than 32 levels deep at entities\.accounts(\[0\])?\.columns\.name/ },
  },
  {
    name: '1,000 custom columns on accounts',
    breaks: (ex) => {
      const [header, ...rows] = ex.lines('accounts');
      const extra = Array.from({ length: 1_000 }, (_, i) => i);
      ex.writeLines('accounts', [
        `${header},${extra.map((i) => `attr_${i}`).join(',')}`,
        ...rows.map((row, r) => `${row},${extra.map((i) => (r * i) % 7).join(',')}`),
      ]);
    },
    outcome: { loads: 'every value kept as a custom attribute, in one statement per table' },
    check: async (db) => {
      expect(await count(db, 'custom_attribute_columns')).toBe(1_000);
      expect(await count(db, 'custom_attributes')).toBe(40 * 1_000);
      const [cell] = await query<{ value: string }>(
        db,
        `SELECT value FROM custom_attributes WHERE name = 'attr_999' AND record_id = (SELECT min(account_id) FROM accounts)`,
      );
      expect(cell).toBeDefined();
    },
  },
];

/** Deals whose outcome history leaves a model nothing to learn: training falls back, the night still scores. */
const TRAINING_CASES: { name: string; breaks: (ex: Export) => void }[] = [
  {
    name: 'zero closed deals',
    breaks: (ex) => {
      ex.mapRows('opportunities', (row) =>
        row['is_closed'] === 'true'
          ? {
              ...row,
              stage: 'Negotiation',
              is_closed: 'false',
              is_won: 'false',
              probability: '0.8',
              forecast_category: 'commit',
            }
          : row,
      );
      rmSync(ex.path('opportunity_history.csv'));
    },
  },
  {
    name: 'all deals won',
    breaks: (ex) => {
      ex.mapRows('opportunities', (row) =>
        row['is_closed'] === 'true'
          ? { ...row, stage: 'Closed Won', is_won: 'true', probability: '1', forecast_category: 'closed' }
          : row,
      );
      rmSync(ex.path('opportunity_history.csv'));
    },
  },
  {
    name: 'one class only (every closed deal lost)',
    breaks: (ex) => {
      ex.mapRows('opportunities', (row) =>
        row['is_closed'] === 'true'
          ? { ...row, stage: 'Closed Lost', is_won: 'false', probability: '0', forecast_category: 'omitted' }
          : row,
      );
      rmSync(ex.path('opportunity_history.csv'));
    },
  },
];

describe('the bad-input corpus', () => {
  const tmp = tempDir('wuwei-bad-input-');
  const good = join(tmp.dir, 'good');
  let caseNumber = 0;

  const template = join(tmp.dir, 'template');
  /** Every table of a database that holds just the good export. */
  let goodContents: Record<string, string>;

  beforeAll(async () => {
    await generate({ out: good, opportunities: 200, seed: 5, asOf: AS_OF, start: '2024-01-01', log: quietLogger });
    const loaded = await cli(['load', '--source', good, '--db', join(template, 'wuwei.duckdb')]);
    expect(loaded.code, loaded.output).toBe(0);
    goodContents = await withDatabase(join(template, 'wuwei.duckdb'), databaseContents);
  });
  afterAll(() => tmp.cleanup());

  /** A folder with a database that holds the good export, and a copy of the export to break. */
  async function setUp(): Promise<{ dir: string; db: string; ex: Export }> {
    const dir = join(tmp.dir, `case-${++caseNumber}`);
    cpSync(good, join(dir, 'export'), { recursive: true });
    // a copy of the database the good export was loaded into (closed, so the file is whole)
    cpSync(template, join(dir, 'data'), { recursive: true });
    return { dir, db: join(dir, 'data', 'wuwei.duckdb'), ex: new Export(join(dir, 'export')) };
  }

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, bad) => {
      const { dir, db, ex } = await setUp();
      bad.breaks(ex, dir);
      const args = bad.command?.(ex.dir, db, dir) ?? ['load', '--source', ex.dir, '--db', db, '--json'];
      const result = await cli(args);
      expect(result.output, 'no stack trace').not.toMatch(/^\s+at /m);
      expect(result.output).not.toMatch(/unexpected failure/);
      if ('fails' in bad.outcome) {
        expect(result.code, result.output).toBe(1);
        const message = result.stderr.trim();
        expect(message.split('\n'), 'one line').toHaveLength(1);
        expect(message).toMatch(/^wuwei: /);
        expect(message).toMatch(bad.outcome.fails);
        expect(await withDatabase(db, databaseContents), 'the good load is untouched').toEqual(goodContents);
      } else {
        expect(result.code, result.output).toBe(0);
        const rejects = await query<{
          entity: string;
          file: string;
          line: number;
          column_name: string | null;
          reason: string;
        }>(
          db,
          `SELECT entity, file, line::INTEGER AS line, column_name, reason FROM load_rejects ORDER BY entity, line`,
        );
        if ('quarantines' in bad.outcome) {
          for (const expected of bad.outcome.quarantines) {
            const found = rejects.find(
              (r) => r.entity === expected.entity && r.line === expected.line && r.column_name === expected.column,
            );
            expect(
              found,
              `${expected.entity} line ${expected.line} quarantined; got ${JSON.stringify(rejects.slice(0, 8))}`,
            ).toBeDefined();
            expect(found!.reason).toMatch(
              typeof expected.reason === 'string' ? new RegExp(`^${expected.reason}$`) : expected.reason,
            );
            expect(found!.file).toBe(ex.path(`${expected.entity}.csv`));
          }
          // only the broken rows and rows that hang from them (a row too malformed to read leaves its children without a parent)
          const brokenEntities = new Set(bad.outcome.quarantines.map((q) => q.entity));
          for (const r of rejects.filter((r) => !brokenEntities.has(r.entity)))
            expect(r.reason).toMatch(/^reference to a (rejected|missing) parent$/);
        } else {
          expect(rejects).toEqual([]);
        }
      }
      await bad.check?.(db, result.output, dir);
    },
    60_000,
  );

  it.each(TRAINING_CASES.map((c) => [c.name, c] as const))(
    '%s: training falls back to the stage baseline and the night still scores',
    async (_name, bad) => {
      const { dir, ex } = await setUp();
      bad.breaks(ex);
      const db = join(dir, 'fresh', 'wuwei.duckdb');
      const result = await cli(['run', '--source', ex.dir, '--db', db, '--no-report']);
      expect(result.output).not.toMatch(/^\s+at /m);
      expect(result.code, result.output).toBe(0);
      expect(result.output).toMatch(/fall back to the CRM stage probabilities/);
      const scores = readFileSync(join(dir, 'fresh', 'out', 'scores.csv'), 'utf8')
        .trim()
        .split('\n');
      const open = await query<{ n: number }>(
        db,
        `SELECT count(*)::INTEGER AS n FROM opportunities WHERE NOT is_closed`,
      );
      expect(scores.length - 1).toBe(open[0]!.n);
      expect(scores[1]).toMatch(/stage_baseline/);
    },
    180_000,
  );
});

/** The canonical layout as a mapping file, with extra top-level fields. */
function canonicalMappingYaml(extra: Record<string, string>): string {
  return stringifyYaml({ ...canonicalMapping(), ...extra });
}

async function query<T>(db: string, sql: string): Promise<T[]> {
  return withDatabase(db, (conn) => queryRows<T>(conn, sql));
}

async function count(db: string, table: string): Promise<number> {
  const [row] = await query<{ n: number }>(db, `SELECT count(*)::INTEGER AS n FROM "${table}"`);
  return row!.n;
}

/** Every deal's amount (to the cent) and probability, to compare two loads of the same deals. */
async function dealNumbers(db: string): Promise<{ id: string; amount: number; probability: number | null }[]> {
  return query(
    db,
    `SELECT opportunity_id AS id, round(amount, 2) AS amount, round(probability, 6) AS probability FROM opportunities ORDER BY 1`,
  );
}

async function names(db: string): Promise<string[]> {
  return (await query<{ name: string }>(db, `SELECT name FROM accounts`)).map((r) => r.name);
}
