/**
 * Logs go to stderr so that `--json` can own stdout. Stages receive a Logger instead of
 * writing to the console, so tests pass a quiet one.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Detail for finding where time goes (e.g. each load step's wall time); stderrLogger shows it when WUWEI_DEBUG is set. */
  debug?(message: string): void;
}

export const stderrLogger: Logger = {
  info: (message) => process.stderr.write(`${timestamp()} ${message}\n`),
  warn: (message) => process.stderr.write(`${timestamp()} warning: ${message}\n`),
  debug: (message) => {
    if (process.env['WUWEI_DEBUG']) process.stderr.write(`${timestamp()} debug: ${message}\n`);
  },
};

export const quietLogger: Logger = { info: () => {}, warn: () => {} };

function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}

/** Runs `work` and returns its result with the elapsed wall time in seconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - start) / 1000 };
}
