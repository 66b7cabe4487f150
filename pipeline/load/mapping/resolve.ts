import { WuweiError } from '../../base/errors.ts';
import { readMappingFile, type Mapping } from './definition.ts';
import { builtInLayout } from './layouts.ts';

/** The mapping a load uses: `--mapping FILE`, else `--layout NAME`, else the canonical layout. */
export function resolveMapping(options: { layout?: string; mapping?: string }): Mapping {
  if (options.mapping && options.layout && options.layout !== 'canonical') {
    throw new WuweiError('bad_option', 'give either --layout or --mapping, not both');
  }
  return options.mapping ? readMappingFile(options.mapping) : builtInLayout(options.layout ?? 'canonical');
}
