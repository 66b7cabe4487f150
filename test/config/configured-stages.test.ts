/**
 * The configured won and lost stages reach the load: history derived from snapshots (an export
 * without opportunity_history nor is_closed) dates a deal's close at its close date only when the
 * load knows the deal's stage is a closing one. Real load stage on a tiny export, two nights.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { defaultConfig, type WuweiConfig } from '../../pipeline/config/config.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import { loadStage } from '../../pipeline/commands/stages.ts';
import { tempDir } from '../helpers/temp.ts';

function writeNight(dir: string, stage: string): string {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string[]> = {
    accounts: ['account_id,name,segment', 'A1,Acme,smb'],
    users: ['user_id,name', 'U1,Ana'],
    opportunities: [
      'opportunity_id,account_id,owner_id,name,created_date,close_date,stage,amount,currency',
      `O1,A1,U1,Deal,2026-01-05,2026-02-10,${stage},1000,EUR`,
    ],
  };
  for (const [entity, lines] of Object.entries(files))
    writeFileSync(join(dir, `${entity}.csv`), `${lines.join('\n')}\n`);
  return dir;
}

describe('configured closing stages at load', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const defaults = defaultConfig();
  const config: WuweiConfig = { ...defaults, features: { ...defaults.features, wonStages: ['Gewonnen'] } };

  it('date a close in a configured won stage at its close date, not at the night it was seen', async () => {
    const paths = runPaths(join(tmp.dir, 'wuwei.duckdb'));
    const open = writeNight(join(tmp.dir, 'night-1'), 'Negotiation');
    const won = writeNight(join(tmp.dir, 'night-2'), 'Gewonnen');
    await loadStage(paths, { source: open, asOf: '2026-02-01', log: quietLogger, config });
    const summary = await loadStage(paths, { source: won, asOf: '2026-03-01', log: quietLogger, config });
    expect(summary.snapshot.history).toBe('derived');
    const history = await withDatabase(paths.db, (conn) =>
      queryRows<{ stage: string; changed_at: string }>(
        conn,
        `SELECT stage, strftime(changed_at, '%Y-%m-%d') AS changed_at FROM opportunity_history ORDER BY changed_at`,
      ),
    );
    expect(history).toEqual([
      { stage: 'Negotiation', changed_at: '2026-02-01' },
      { stage: 'Gewonnen', changed_at: '2026-02-10' },
    ]);
  });
});
