import { startTestApp } from '../support/app';

/**
 * A stopped app leaves nothing that holds the process: a deployment's SIGTERM (and every
 * integration test's teardown) ends the process at once instead of after a stray timer.
 */
it('stop() leaves no timer of the app’s running', async () => {
  const made: NodeJS.Timeout[] = [];
  const realSetTimeout = global.setTimeout;
  const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = realSetTimeout(fn, ms, ...args);
    made.push(timer);
    return timer;
  }) as typeof setTimeout);
  try {
    const t = await startTestApp('appstop');
    await t.stop();
  } finally {
    spy.mockRestore();
  }
  await new Promise((r) => setTimeout(r, 300));
  // Timers still pending and holding the loop (an unref'd one would not keep the process).
  const holding = made.filter((timer) => !(timer as unknown as { _destroyed: boolean })._destroyed && timer.hasRef());
  expect(holding).toHaveLength(0);
});
