/**
 * The generate command's stage: synthetic CRM data in any layout. Its own module, so `wuwei generate`
 * starts without the models' and the report's modules (TensorFlow.js, Framework).
 */
import type { Logger } from '../base/log.ts';
import { WuweiError } from '../base/errors.ts';
import { generate, GENERATE_DEFAULTS, type GenerateOptions, type GenerateSummary } from '../generate/index.ts';
import { generateInLayout } from '../load/mapping/write-layout.ts';

export async function generateStage(
  options: {
    out: string;
    opportunities?: number;
    seed?: number;
    asOf?: string;
    layout?: string;
    untidyReps?: boolean;
    log: Logger;
  } & Pick<GenerateOptions, 'shape' | 'customColumns' | 'zeroAmountShare' | 'snapshots'>,
): Promise<GenerateSummary> {
  if (options.layout && options.layout !== 'canonical') {
    if (options.shape === 'snapshots')
      throw new WuweiError(
        'bad_option',
        `--shape snapshots writes the canonical layout only (got --layout ${options.layout})`,
      );
    return generateInLayout(
      options.layout,
      options.out,
      (out, log) => generateStage({ ...options, out, log, layout: 'canonical' }),
      options.log,
    );
  }
  return generate({
    out: options.out,
    opportunities: options.opportunities ?? GENERATE_DEFAULTS.opportunities,
    seed: options.seed ?? GENERATE_DEFAULTS.seed,
    asOf: options.asOf ?? GENERATE_DEFAULTS.asOf,
    start: GENERATE_DEFAULTS.start,
    ...(options.untidyReps ? { untidyReps: true } : {}),
    log: options.log,
    ...(options.shape ? { shape: options.shape } : {}),
    ...(options.customColumns ? { customColumns: true } : {}),
    ...(options.zeroAmountShare ? { zeroAmountShare: options.zeroAmountShare } : {}),
    ...(options.snapshots ? { snapshots: options.snapshots } : {}),
  });
}
