/**
 * The grade bands A–D as configured (`grades` in wuwei.config.yaml): the same bounds the scoring
 * stage grades by. build.ts passes them to the loaders as WUWEI_GRADES (JSON); without it, the
 * config's defaults.
 */
import { defaultConfig, parseConfig, type GradeBands } from '../../../pipeline/config/config.ts';
import type { GradeBand } from '../components/types.ts';

export const GRADES_ENV = 'WUWEI_GRADES';

export function configuredGrades(): GradeBands {
  const raw = process.env[GRADES_ENV];
  return raw ? parseConfig({ grades: JSON.parse(raw) }, GRADES_ENV).grades : defaultConfig().grades;
}

/** Each grade's lowest score, best first; D starts at 0. */
export function gradeBands(bands: GradeBands = configuredGrades()): GradeBand[] {
  return [
    { grade: 'A', from: bands.A },
    { grade: 'B', from: bands.B },
    { grade: 'C', from: bands.C },
    { grade: 'D', from: 0 },
  ];
}
