/**
 * Picks the fastest TensorFlow.js backend this machine can run, once per process:
 * tfjs-node (native TensorFlow; an optional dependency that cannot install everywhere),
 * else WebAssembly, else the pure-JS cpu backend. The name is logged and stored with each model.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../pipeline/base/log.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

const PREFERENCE: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Optional override, e.g. WUWEI_TF_BACKEND=cpu to compare backends; an unusable choice still falls back. */
export const BACKEND_ENV = 'WUWEI_TF_BACKEND';

let selection: Promise<BackendName> | undefined;

/** Selects the backend on first call (logging what was tried) and returns its name on every call. */
export function selectBackend(log: Logger): Promise<BackendName> {
  selection ??= choose(log);
  return selection;
}

async function choose(log: Logger): Promise<BackendName> {
  const wanted = process.env[BACKEND_ENV] as BackendName | undefined;
  const order = wanted && PREFERENCE.includes(wanted) ? PREFERENCE.slice(PREFERENCE.indexOf(wanted)) : PREFERENCE;
  for (const name of order) {
    const handlersBefore = processErrorHandlers();
    const reason = await tryBackend(name);
    restoreProcessErrorHandlers(handlersBefore);
    if (reason === null) {
      log.info(`TensorFlow.js backend: ${name}`);
      return name;
    }
    log.info(`TensorFlow.js backend ${name} unavailable (${reason}), trying the next one`);
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}

/** Returns null when the backend is now active, else why not. */
async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    // imported here, not at the top: commands that only list models must not load TensorFlow.js
    const tf = await import('@tensorflow/tfjs');
    if (name === 'tensorflow') {
      // A variable specifier: the package is optional, so neither TypeScript nor a bundler may require it.
      const nativePackage: string = '@tensorflow/tfjs-node';
      await import(nativePackage);
    }
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from disk: point at the installed package's dist folder.
      const folder = wasmDistFolder();
      if (!existsSync(join(folder, 'tfjs-backend-wasm.wasm'))) return `no .wasm binaries in ${folder}`;
      wasm.setWasmPaths(folder.endsWith(sep) ? folder : folder + sep);
    }
    if (!tf.findBackendFactory(name)) return 'not registered';
    // setBackend reports a failed initialisation by returning false (after a console warning).
    if (!(await tf.setBackend(name))) return 'initialisation failed';
    await tf.ready();
    return null;
  } catch (error) {
    return firstLine(error);
  }
}

function processErrorHandlers() {
  return {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
}

/**
 * The wasm backend's Emscripten runtime adds process-wide handlers that rethrow every uncaught error
 * and unhandled rejection, so any later failure anywhere prints a page of minified wasm glue instead
 * of its own stack. Removing what backend initialisation added leaves error handling to Node and the CLI.
 */
function restoreProcessErrorHandlers(before: ReturnType<typeof processErrorHandlers>): void {
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
}

function wasmDistFolder(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    return dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')));
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 160);
}
