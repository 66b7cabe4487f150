import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS } from '../pipeline/commands/docs.ts';

describe('generated docs', () => {
  for (const [path, render] of Object.entries(DOCS)) {
    it(`${path} matches the code it is generated from (run \`npm run docs\`)`, () => {
      expect(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')).toBe(render());
    });
  }
});
