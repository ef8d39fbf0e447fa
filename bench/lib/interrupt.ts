/**
 * Cleanups to run if the bench is interrupted (Ctrl-C): the runner calls them before exiting so
 * an aborted run does not leave a `byok_bench_*` database or queue keys behind.
 */
const cleanups = new Set<() => Promise<void>>();

/** Registers a cleanup; returns a function that unregisters it (call it once cleaned up normally). */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

let running: Promise<void> | undefined;

/**
 * Runs every registered cleanup (newest first), each bounded in time, errors ignored. A second
 * caller (the bench failing because the first call stopped its service) gets the same promise,
 * so nobody exits while a cleanup is still dropping its database. Failures are reported, not thrown.
 */
export function runInterruptCleanups(timeoutMs = 15_000): Promise<void> {
  running ??= (async () => {
    for (const cleanup of [...cleanups].reverse()) {
      cleanups.delete(cleanup);
      await Promise.race([
        cleanup().catch((err: unknown) => console.error(`bench: cleanup failed: ${err instanceof Error ? err.message : String(err)}`)),
        new Promise((r) => setTimeout(r, timeoutMs).unref()),
      ]);
    }
  })();
  return running;
}
