// A worker thread does not inherit the loader that runs TypeScript in the main thread (tsx, or
// vitest's): register tsx here, then run the TypeScript worker (worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
