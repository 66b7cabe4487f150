import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_FILE_NAME, defaultConfig, loadConfig, parseConfig } from '../../pipeline/config/config.ts';
import { errorOf } from '../helpers/error-of.ts';
import { tempDir } from '../helpers/temp.ts';

describe('config validation', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('names an unknown key with its path, in one line', () => {
    const error = errorOf(() => parseConfig({ grades: { A: 80, E: 5 } }, 'wuwei.config.yaml'));
    expect(error.code).toBe('bad_option');
    expect(error.message).toBe('wuwei.config.yaml: grades.E: unknown key');
  });

  it('names a wrong type with its path and what was expected, in one line', () => {
    const error = errorOf(() => parseConfig({ fiscal: { yearStartMonth: 'April' } }));
    expect(error.message).toMatch(/^config: fiscal\.yearStartMonth: expected number, received string$/);
    expect(error.message).not.toContain('\n');
  });

  it('lists several problems in the same line', () => {
    const error = errorOf(() =>
      parseConfig({ retrain: { everyDays: 0 }, colour: 'blue', writeback: { formats: ['sap'] } }),
    );
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('retrain.everyDays:');
    expect(error.message).toContain('colour: unknown key');
    expect(error.message).toContain('writeback.formats[0]:');
  });

  it('holds the feature and model defaults the stages use, so there is one place for each', async () => {
    const { DEFAULT_FEATURE_CONFIG } = await import('../../pipeline/features/config.ts');
    const { DEFAULT_MAX_TRAINING_DEALS, DEFAULT_PROMOTE_RATIO } = await import('../../models/win/train.ts');
    const defaults = defaultConfig();
    expect(DEFAULT_FEATURE_CONFIG).toEqual(defaults.features);
    expect(defaults.features.wonStages).toEqual(['Closed Won']);
    expect(DEFAULT_MAX_TRAINING_DEALS).toBe(defaults.models.maxTrainingDeals);
    expect(DEFAULT_PROMOTE_RATIO).toBe(defaults.models.promotionRatio);
    expect(defaults.models.seed).toBe(42);
  });

  it('replaces a listed feature setting as a whole and checks it', () => {
    expect(parseConfig({ features: { wonStages: ['Won'], similar: { k: 5 } } }).features).toMatchObject({
      wonStages: ['Won'],
      lostStages: ['Closed Lost'],
      similar: { k: 5, candidatePool: 100 },
    });
    expect(errorOf(() => parseConfig({ features: { stages: [] } })).message).toContain('features.stages');
  });

  it('rejects dates that do not exist, which Date.parse rolls over', async () => {
    const { isIsoDate } = await import('../../pipeline/base/dates.ts');
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2024-02-30')).toBe(false);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-2-01')).toBe(false);
  });

  it('refuses --as-of 2024-02-30 on the command line in one line', async () => {
    const { wuweiInProcess } = await import('../helpers/cli.ts');
    const run = await wuweiInProcess(['features', '--as-of', '2024-02-30', '--db', join(tmp.dir, 'dates.duckdb')]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(["wuwei: --as-of must be a date YYYY-MM-DD, got '2024-02-30'"]);
  });

  it('rejects grade bands that do not fall', () => {
    expect(errorOf(() => parseConfig({ grades: { A: 40, B: 50 } })).message).toContain('grade thresholds must fall');
  });

  it('fills every default, section by section', () => {
    const config = parseConfig({ forecast: { months: 6 } });
    expect(config.forecast.months).toBe(6);
    expect(config.forecast.quarters).toBe(defaultConfig().forecast.quarters);
    expect(config.retrain.everyDays).toBe(15);
  });

  it('reads wuwei.config.yaml beside the database, with paths relative to the file', () => {
    writeFileSync(join(tmp.dir, CONFIG_FILE_NAME), 'output: exports\nfiscal:\n  yearStartMonth: 4\n');
    const { config, file } = loadConfig({ db: join(tmp.dir, 'wuwei.duckdb') });
    expect(file).toBe(join(tmp.dir, CONFIG_FILE_NAME));
    expect(config.fiscal.yearStartMonth).toBe(4);
    expect(config.output).toBe(join(tmp.dir, 'exports'));
  });

  it('uses the defaults when there is no file, and fails clearly on a missing --config file', () => {
    expect(loadConfig({ db: join(tmp.dir, 'elsewhere', 'wuwei.duckdb') }).config).toEqual(defaultConfig());
    expect(errorOf(() => loadConfig({ db: 'x.duckdb', file: join(tmp.dir, 'nope.yaml') })).message).toMatch(
      /nope\.yaml: config file not found$/,
    );
  });

  it('reports a file that is not YAML in one line', () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, 'grades: [unclosed\n');
    const error = errorOf(() => loadConfig({ db: 'x.duckdb', file: bad }));
    expect(error.message).toMatch(/bad\.yaml: not valid YAML/);
    expect(error.message).not.toContain('\n');
  });

  it('ships an example file that is valid and states every default', () => {
    const example = parse(readFileSync(new URL('../../wuwei.config.example.yaml', import.meta.url), 'utf8'));
    const parsed = parseConfig(example, 'wuwei.config.example.yaml');
    const defaults = defaultConfig();
    for (const section of [
      'fiscal',
      'grades',
      'scores',
      'retrain',
      'forecast',
      'backtest',
      'report',
      'writeback',
      'features',
      'models',
      'duckdb',
    ] as const) {
      expect(parsed[section], section).toEqual(defaults[section]);
    }
  });
});
