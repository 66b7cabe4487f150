/**
 * vegaRuntime.js: vega and vega-lite in one ES module for the charts (reports/vega-runtime.ts). The
 * report stage writes it into Framework's cache before each build; Framework runs this loader only
 * when that output is missing (`observable preview`, a build by hand).
 */
import { vegaRuntimeSource } from '../../vega-runtime.ts';

process.stdout.write(vegaRuntimeSource());
