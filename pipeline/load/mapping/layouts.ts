/**
 * The built-in layouts. `canonical` is the contract itself (one file per entity, same names);
 * the others are mapping files in `layouts/`, read with the same parser a user's mapping goes through.
 */
import { WuweiError } from '../../base/errors.ts';
import { ENTITY_NAMES, SCHEMA } from '../schema.ts';
import { readMappingFile, type Mapping } from './definition.ts';
import { LAYOUT_DIR, LAYOUT_NAMES } from './layout-names.ts';

export { LAYOUT_NAMES } from './layout-names.ts';

export function canonicalMapping(): Mapping {
  const entities: Mapping['entities'] = {};
  for (const entity of ENTITY_NAMES) {
    entities[entity] = [
      {
        file: SCHEMA[entity].file,
        columns: Object.fromEntries(Object.keys(SCHEMA[entity].columns).map((c) => [c, c])),
      },
    ];
  }
  return { name: 'canonical', entities };
}

export function builtInLayout(name: string): Mapping {
  if (name === 'canonical') return canonicalMapping();
  if (!LAYOUT_NAMES.includes(name))
    throw new WuweiError(
      'bad_option',
      `unknown layout '${name}' (known: ${LAYOUT_NAMES.join(', ')}; or give --mapping FILE)`,
    );
  return readMappingFile(`${LAYOUT_DIR}${name}.yaml`);
}
