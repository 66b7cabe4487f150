import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';

const run = promisify(execFile);
const WUWEI = join(import.meta.dirname, '..', '..', 'bin', 'wuwei.js');
const { dir, cleanup } = tempDir('wuwei-load-cli-');
afterAll(cleanup);

async function wuwei(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [WUWEI, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('wuwei generate/load with layouts and mappings', () => {
  it('generates the HubSpot layout and loads it with --layout', async () => {
    const out = join(dir, 'hubspot');
    const generated = await wuwei([
      'generate',
      '--out',
      out,
      '--opportunities',
      '120',
      '--layout',
      'hubspot',
      '--json',
    ]);
    expect(generated.code).toBe(0);
    expect(JSON.parse(generated.stdout)).toMatchObject({ layout: 'hubspot', out });
    expect(readdirSync(out).sort()).toEqual([
      'calls.csv',
      'companies.csv',
      'contacts.csv',
      'deal_competitors.csv',
      'deal_contact_associations.csv',
      'deal_property_history.csv',
      'deals.csv',
      'emails.csv',
      'engagement_associations.csv',
      'engagements.csv',
      'ground_truth.csv',
      'ground_truth_moves.csv',
      'line_items.csv',
      'meetings.csv',
      'owners.csv',
    ]);
    const loaded = await wuwei([
      'load',
      '--source',
      out,
      '--layout',
      'hubspot',
      '--db',
      join(dir, 'hubspot.duckdb'),
      '--json',
    ]);
    expect(loaded.code).toBe(0);
    const summary = JSON.parse(loaded.stdout);
    expect(summary.layout).toBe('hubspot');
    expect(summary.entities.opportunities.loaded).toBe(120);
  });

  it('prints one line, no stack trace, for a mapping file with an unknown field', async () => {
    const mapping = join(dir, 'typo.yaml');
    writeFileSync(mapping, 'name: x\nentitys: {}\n');
    const result = await wuwei(['load', '--source', dir, '--mapping', mapping, '--db', join(dir, 'typo.duckdb')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`wuwei: ${mapping}: unknown field 'entitys'`);
  });
});
