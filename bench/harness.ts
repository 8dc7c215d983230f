// What the benches share: their options' checks, the environment of a `saraban` process under
// test, and undoing what a run made however it ends.

/** Undo steps, run last-first however the run ends. */
export type Cleanup = Array<() => Promise<unknown>>;

/** An option's value as a positive whole number, or an error naming the option. */
export function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, not "${value}"`);
  return n;
}

/** Our environment for a `saraban` process, with the settings file alone deciding: overrides of ours must not leak in. */
export function settingsEnv(settingsFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SARABAN_CONFIG: settingsFile };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'SARABAN_SMTP_PORT', 'SARABAN_DESK_PORT', 'SARABAN_RELAY_URL']) delete env[name];
  return env;
}

/**
 * Runs a bench and exits with its code (1, saying why, when it fails). What it pushes onto
 * `cleanup` (children to stop, scratch databases and queues to remove) is undone when it ends,
 * fails or is interrupted (Ctrl-C).
 */
export function runBench(bench: (cleanup: Cleanup) => Promise<number>): void {
  const cleanup: Cleanup = [];
  const undoAll = async () => {
    for (const undo of cleanup.splice(0).reverse()) {
      await undo().catch((err: Error) => console.error(`bench: cleaning up: ${err.message}`));
    }
  };
  const interrupted = () => {
    console.error('bench: interrupted; cleaning up');
    void undoAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  bench(cleanup)
    .finally(undoAll)
    .then(
      (code) => process.exit(code),
      (err: Error) => {
        console.error(`bench: ${err.message}`);
        process.exit(1);
      },
    );
}
