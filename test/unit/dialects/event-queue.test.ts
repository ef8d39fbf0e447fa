import { EventQueue, type QueueSource } from '../../../src/providers/dialects/event-queue';

function source() {
  const calls: string[] = [];
  const s: QueueSource = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    cancel: () => calls.push('cancel'),
  };
  return { s, calls };
}

async function drain<T>(q: AsyncIterable<T>): Promise<{ got: T[]; error?: unknown }> {
  const got: T[] = [];
  try {
    for await (const v of q) got.push(v);
    return { got };
  } catch (error) {
    return { got, error };
  }
}

describe('EventQueue', () => {
  it('hands a pushed event to a consumer already waiting, then the buffered ones, then the end', async () => {
    const q = new EventQueue<number>(source().s);
    const first = q.next();
    q.push(1);
    expect(await first).toEqual({ value: 1, done: false });
    q.push(2);
    q.push(3);
    q.end();
    q.push(4); // after the end: ignored
    expect(await drain(q)).toEqual({ got: [2, 3] });
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it('a failure comes after the events pushed before it, once', async () => {
    const q = new EventQueue<number>(source().s);
    q.push(1);
    q.fail(new Error('lost'));
    const r = await drain(q);
    expect(r.got).toEqual([1]);
    expect((r.error as Error).message).toBe('lost');
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it('a failure reaches a consumer that is waiting', async () => {
    const q = new EventQueue<number>(source().s);
    const waiting = q.next();
    q.fail(new Error('reset'));
    await expect(waiting).rejects.toThrow('reset');
  });

  it('pauses the source at 64 unread events and resumes it once the consumer caught up', async () => {
    const { s, calls } = source();
    const q = new EventQueue<number>(s);
    for (let i = 0; i < 63; i++) q.push(i);
    expect(calls).toEqual([]);
    q.push(63);
    expect(calls).toEqual(['pause']);
    for (let i = 0; i < 63; i++) await q.next();
    expect(calls).toEqual(['pause']);
    expect(await q.next()).toEqual({ value: 63, done: false });
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('return() cancels the source, drops what is buffered and ignores later pushes', async () => {
    const { s, calls } = source();
    const q = new EventQueue<number>(s);
    q.push(1);
    expect(await q.return()).toEqual({ value: undefined, done: true });
    q.push(2);
    expect(calls).toEqual(['cancel']);
    expect(await q.next()).toEqual({ value: undefined, done: true });
    await q.return();
    expect(calls).toEqual(['cancel']);
  });

  it('return() after the end does not cancel a source that already finished', async () => {
    const { s, calls } = source();
    const q = new EventQueue<number>(s);
    q.end();
    await q.return();
    expect(calls).toEqual([]);
  });
});
