/**
 * The chaos bench's private Redis, kept by a child process of the bench (forked with the
 * exit-with-parent preload): `redis-server --port <free> --save "" --appendonly no` on 127.0.0.1,
 * never the shared one. Over IPC the bench asks it to `kill` Redis (SIGKILL: an outage that loses
 * everything in memory) and `start` it again on the same port. When the keeper exits, for
 * whatever reason (the bench died, was interrupted or finished), its Redis is SIGKILLed with it,
 * so no redis-server outlives the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../stream/procs';
import type { RedisKeeperReply, RedisKeeperRequest } from './protocol';

let redis: ChildProcess | undefined;
let port = 0;

/** True once the server answers PING with PONG. */
function pong(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });
}

async function start(): Promise<void> {
  if (redis && redis.exitCode === null && redis.signalCode === null) throw new Error('Redis is already running');
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--daemonize', 'no'], {
    stdio: 'ignore',
  });
  const proc = redis;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`redis-server on port ${port} exited at start (${proc.exitCode ?? proc.signalCode})`);
    if (await pong()) return;
    await sleep(20);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}

async function kill(): Promise<void> {
  const proc = redis;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

process.on('exit', () => {
  if (redis && redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
});
process.on('SIGTERM', () => process.exit(0));

process.on('message', (m: RedisKeeperRequest) => {
  const reply = (r: Omit<RedisKeeperReply, 'type' | 'id'>): void => void process.send?.({ type: 'redis', id: m.id, ...r } satisfies RedisKeeperReply);
  const action = m?.type === 'redis-kill' ? kill : m?.type === 'redis-start' ? start : undefined;
  if (!action) return;
  action().then(
    () => reply({ ok: true }),
    (err: Error) => reply({ ok: false, error: err.message }),
  );
});

void (async () => {
  port = await freePort();
  await start();
  process.send?.({ type: 'ready', port });
})().catch((err: Error) => {
  process.stderr.write(`redis keeper: ${err.message}\n`);
  process.exit(1);
});
