import type { Redis } from 'ioredis';
import { createRedis } from '../infra/redis';

const NUDGE_EVERY_MS = 100;

export interface WorkerConnection {
  /** For BullMQ's workers and queues: each worker duplicates it for its blocking connection. */
  connection: Redis;
  /** Runs `close` (the workers' close) and sees that a blocking connection cut off by Redis lets it finish. */
  closing(close: () => Promise<void>): Promise<void>;
}

/**
 * The workers' Redis connection, with the duplicates BullMQ makes of it (one blocking connection
 * per worker) kept track of, so the workers can close after a Redis outage.
 *
 * Why: BullMQ's Worker.close() disconnects its blocking connection and waits for its `end` event.
 * ioredis never emits `end` for a client disconnected while it waits to reconnect (status
 * `reconnecting`, after Redis went away): disconnect() clears the reconnect timer, and there is no
 * socket left whose close would end it; its offline queue (the worker's pending BZPOPMIN) is
 * never flushed either, so the worker's main loop never returns. A stop within the retry delay
 * after a Redis blip hung the app forever ("shutting down", never "stopped"). While the workers
 * close, `closing` reconnects such a client at once instead of after its delay: a connect that
 * fails ends it (it was disconnected), one that succeeds is disconnected again, and in both cases
 * ioredis emits `end` and settles the queued commands.
 */
export function workerConnection(url: string): WorkerConnection {
  const connection = createRedis(url, 'blocking', 'worker');
  const duplicates = new Set<Redis>();
  const duplicate = connection.duplicate.bind(connection);
  connection.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const client = duplicate(...args);
    duplicates.add(client);
    return client;
  };
  return {
    connection,
    async closing(close) {
      /** Clients reconnected here: BullMQ already disconnected them, so they are ended here once up. */
      const revived = new Set<Redis>();
      const nudge = () => {
        for (const client of duplicates) {
          if (client.status === 'end') {
            duplicates.delete(client);
          } else if (client.status === 'reconnecting') {
            // Its disconnect() would not end it: let it reconnect (or fail to) at once. Failing, it
            // ends (it was disconnected); up, the next nudge ends it.
            revived.add(client);
            client.connect().catch(() => undefined);
          } else if (client.status === 'ready' && revived.has(client)) {
            client.disconnect();
          }
        }
      };
      const timer = setInterval(nudge, NUDGE_EVERY_MS);
      try {
        await close();
      } finally {
        clearInterval(timer);
        // Only those still open: disconnect() on an ended client arms ioredis's 2 s "stream still
        // open" timer on its old, closed socket, which then holds the process for 2 s.
        for (const client of duplicates) if (client.status !== 'end') client.disconnect();
      }
    },
  };
}
