import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../src/errors/app-error';
import { StreamDeadlines, deadlineOr } from '../../../src/modules/chat/timeouts';

/** An upstream whose events come after the given pauses; it stops when the controller aborts. */
async function* upstream(pauses: number[], signal: AbortSignal): AsyncGenerator<number> {
  for (const [i, ms] of pauses.entries()) {
    await sleep(ms, undefined, { signal });
    yield i;
  }
}

async function run(pauses: number[], firstMs: number, idleMs: number, consumerMs = 0) {
  const controller = new AbortController();
  const got: number[] = [];
  // The consumer loop as ChatService runs it.
  const deadlines = new StreamDeadlines(controller, firstMs, idleMs, 'Mock');
  try {
    for await (const v of upstream(pauses, controller.signal)) {
      deadlines.received();
      got.push(v);
      if (consumerMs) await sleep(consumerMs);
      deadlines.waiting();
    }
    return { got, error: undefined };
  } catch (err) {
    return { got, error: deadlineOr(controller, err) as AppError };
  } finally {
    deadlines.stop();
  }
}

// Margins of 70 ms or more between a pause and its deadline: the suite runs beside integration
// tests on 2 cores, where a 25 ms sleep sometimes took over 40 ms.
describe('StreamDeadlines', () => {
  it('passes events that come within the deadlines, with one timer re-armed across them', async () => {
    expect(await run([60, 20, 50, 50, 50], 150, 120)).toEqual({ got: [0, 1, 2, 3, 4], error: undefined });
  });

  it('a first event later than firstMs: UPSTREAM_ERROR naming the limit', async () => {
    const r = await run([300, 1], 100, 1000);
    expect(r.got).toEqual([]);
    expect(r.error).toBeInstanceOf(AppError);
    expect(r.error).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'Mock sent nothing for 100 ms' });
  });

  it('a gap longer than idleMs mid-stream aborts; the time is counted from when the next event was asked for', async () => {
    const r = await run([5, 5, 300, 5], 1000, 120);
    expect(r.got).toEqual([0, 1]);
    expect(r.error).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'Mock sent nothing for 120 ms' });
  });

  it('a slow consumer is not the upstream being idle', async () => {
    expect(await run([5, 5, 5], 1000, 120, 250)).toEqual({ got: [0, 1, 2], error: undefined });
  });
});
