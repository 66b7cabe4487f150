/**
 * Training step 6, the promotion rule: a new version becomes active unless its holdout AUC falls below
 * `promoteRatio` x the active model's, so a worse model does not replace a good one unless forced.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../../pipeline/base/log.ts';
import { activeModelAuc } from './registry.ts';

export interface Promotion {
  active: boolean;
  /** Why, in one line, as the log and the train summary say it. */
  promotion: string;
}

export async function decidePromotion(
  conn: DuckDBConnection,
  auc: number,
  options: { promoteRatio: number; force: boolean; log: Logger },
): Promise<Promotion> {
  const { promoteRatio, force, log } = options;
  const current = await activeModelAuc(conn);
  const active = force || current === null || !(auc < promoteRatio * current.auc);
  const promotion =
    current === null
      ? 'first model: active'
      : force
        ? `forced: active (holdout AUC ${auc.toFixed(3)}, ${current.version} had ${current.auc.toFixed(3)})`
        : active
          ? `active: holdout AUC ${auc.toFixed(3)} >= ${promoteRatio} x ${current.auc.toFixed(3)} of ${current.version}`
          : `not made active: holdout AUC ${auc.toFixed(3)} < ${promoteRatio} x ${current.auc.toFixed(3)} of the active ${current.version} (\`wuwei train --force\` or \`wuwei models activate\` to override)`;
  if (active) log.info(`promotion: ${promotion}`);
  else log.warn(promotion);
  return { active, promotion };
}
