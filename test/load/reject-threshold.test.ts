import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../pipeline/base/db.ts';
import { loadExports, type LoadOptions } from '../../pipeline/load/index.ts';
import { canonicalMapping } from '../../pipeline/load/mapping/layouts.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { csv, HEADERS, writeExport } from './export-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'wuwei-threshold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One of four accounts is rejected: 25%. */
const source = writeExport(join(dir, 'export'), {
  users: csv(HEADERS.users, 'U1,Ada,AE,account_executive,EMEA Sales,EMEA,,2020-01-01'),
  accounts: csv(
    HEADERS.accounts,
    'A1,Acme,Tech,EMEA,smb,100,1000,U1,2024-01-01',
    'A2,Beta,Tech,EMEA,smb,100,1000,U1,2024-01-01',
    'A3,Gamma,Tech,EMEA,smb,100,1000,U1,2024-01-01',
    'A4,Delta,Tech,EMEA,smb,lots,1000,U1,2024-01-01',
  ),
  opportunities: csv(
    HEADERS.opportunities,
    'O1,A1,U1,One,new,inbound,Platform,USD,2026-01-01,2026-03-01,Prospecting,0.1,pipeline,false,false,100',
  ),
});

/** The canonical layout as a mapping file that allows 10% rejects. */
const mappingFile = join(dir, 'mapping.json');
writeFileSync(mappingFile, JSON.stringify({ ...canonicalMapping(), max_reject_share: 0.1 }));

const load = (options: Partial<LoadOptions>) =>
  withDatabase(join(dir, 'db.duckdb'), (conn) =>
    loadExports(conn, { source, asOf: '2026-01-31', log: quietLogger, ...options }),
  );

describe('the reject threshold: --max-reject-rate > the mapping > the config file > 5%', () => {
  it('defaults to 5%', async () => {
    await expect(load({})).rejects.toThrow(/1 of 4 accounts rows rejected \(25%, more than the 5% allowed/);
  });

  it("takes the config file's load.maxRejectShare when nothing else says", async () => {
    expect((await load({ configMaxRejectRate: 0.3 })).maxRejectRate).toBe(0.3);
  });

  it("lets the mapping's max_reject_share override the config file", async () => {
    await expect(load({ mapping: mappingFile, configMaxRejectRate: 0.3 })).rejects.toThrow(/more than the 10% allowed/);
  });

  it('lets the flag override the mapping and the config file', async () => {
    const summary = await load({ mapping: mappingFile, configMaxRejectRate: 0.01, maxRejectRate: 0.5 });
    expect(summary.maxRejectRate).toBe(0.5);
    expect(summary.entities['accounts']).toMatchObject({ loaded: 3, rejected: 1 });
  });
});
