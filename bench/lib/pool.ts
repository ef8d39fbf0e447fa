/**
 * Runs `task` for every index 0..count-1 with at most `concurrency` in flight (a client with a
 * fixed number of connections), in index order. Rejects with the first error once in-flight
 * tasks settle; tasks that should not stop the run must catch their own errors.
 */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const lane = async (): Promise<void> => {
    while (failed === undefined && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  if (failed !== undefined) throw failed;
}

/** Milliseconds on the wall clock with sub-millisecond precision (comparable with database timestamps). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
