/** The generator's defaults, apart from the generator so that the CLI's help can show them without loading it. */
export const GENERATE_DEFAULTS = { opportunities: 5000, seed: 7, asOf: '2026-06-30', start: '2024-01-01' } as const;
