/**
 * The hostile bench's attackers, in their own process (forked): 20 authenticated or anonymous
 * clients doing what issue 11's findings did, for a bounded time, all to 127.0.0.1. Every
 * request is closed-loop (the next waits for the answer), so the load is what the gateway lets
 * through, not an unbounded queue in this process. Reports counts of outcomes by kind.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ATTACK_KINDS, type AttackCommand, type AttackKind, type AttackReport } from './protocol';
import type { ReadyMessage } from '../stream/protocol';

const MiB = 1024 * 1024;

type Tally = Record<string, number>;
const bump = (t: Tally, outcome: string): void => {
  t[outcome] = (t[outcome] ?? 0) + 1;
};

function wsUrl(url: string): string {
  return `${url.replace(/^http/, 'ws')}/graphql`;
}

function client(url: string, token: string): Client {
  return createClient({ url: wsUrl(url), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: true, retryAttempts: 0, keepAlive: 0 });
}

/** One operation over graphql-ws; resolves with how it ended. */
function runOnce(c: Client, query: string, variables: Record<string, unknown> = {}): Promise<string> {
  return new Promise((resolve) => {
    c.subscribe(
      { query, variables },
      {
        next: () => undefined,
        error: (e) => resolve(Array.isArray(e) ? `error ${(e[0] as { extensions?: { code?: string } })?.extensions?.code ?? 'no code'}` : `closed ${(e as { code?: number }).code ?? '?'}`),
        complete: () => resolve('complete'),
      },
    );
  });
}

async function post(url: string, body: string, token?: string): Promise<string> {
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });
    const text = await res.text();
    const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
    return `http ${res.status}${code ? ` ${code}` : ''}`;
  } catch (err) {
    return `http failed: ${(err as Error).message}`;
  }
}

/** A raw socket that authenticates, then sends one message of `bytes`; resolves with the close code. */
function oversizedMessage(url: string, token: string, message: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(url), 'graphql-transport-ws');
    const timer = setTimeout(() => ws.terminate(), 15_000);
    ws.on('error', () => undefined);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', () => ws.send(message));
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(`ws close ${code}`);
    });
  });
}

const until = (deadline: number) => performance.now() < deadline;

async function oversized(url: string, token: string, deadline: number, t: Tally): Promise<void> {
  const anonymous = JSON.stringify({ query: `{ ${'a '.repeat(500_000)}}` }); // 1 MB
  const wsDoc = `{ ${'a '.repeat(2_000_000)}}`; // 4 MB
  const huge = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ me { id } }', variables: { pad: 'x'.repeat(21 * MiB) } } });
  const c = client(url, token);
  try {
    for (let step = 0; until(deadline); step++) {
      if (step % 10 === 9) bump(t, await oversizedMessage(url, token, huge));
      else if (step % 2 === 0) bump(t, await post(url, anonymous));
      else bump(t, `ws ${await runOnce(c, wsDoc)}`);
    }
  } finally {
    await c.dispose();
  }
}

async function alias(url: string, token: string, deadline: number, t: Tally): Promise<void> {
  const sel = 'me { organizations { organization { members { user { id } } } } }';
  const bodies = [
    // over the token limit: parsing stops at 2000 tokens
    JSON.stringify({ query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: ${sel}`).join(' ')} }` }),
    // under it: the alias rule refuses it
    JSON.stringify({ query: `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: ${sel}`).join(' ')} }` }),
    // deep: the depth rule
    JSON.stringify({ query: `{ me { ${'organizations { organization { members { user { '.repeat(8)}id${' } } } }'.repeat(8)} } }` }),
    // directives
    JSON.stringify({ query: `{ me { ${'id @skip(if: false) '.repeat(200)} } }` }),
  ];
  for (let step = 0; until(deadline); step++) bump(t, await post(url, bodies[step % bodies.length]!, token));
}

async function flood(url: string, token: string, deadline: number, t: Tally): Promise<void> {
  while (until(deadline)) {
    const c = client(url, token);
    const ends: Array<Promise<string>> = [];
    for (let i = 0; i < 300; i++) ends.push(runOnce(c, i % 2 === 0 ? 'subscription { usageRecorded { id model } }' : 'subscription { byokKeyStatusChanged { id status } }'));
    // Held open; refusals (a subscription limit) come back at once.
    const refused = await Promise.race([Promise.all(ends), sleep(5000).then(() => undefined)]);
    bump(t, refused ? 'all 300 ended within 5 s' : 'held 5 s');
    await c.dispose();
    for (const outcome of await Promise.all(ends.map((e) => Promise.race([e, sleep(100).then(() => 'open until dispose')])))) bump(t, outcome);
  }
}

const CHAT = 'subscription($input: ChatCompletionInput!) { chatCompletion(input: $input) { type content } }';

async function hog(url: string, token: string, deadline: number, t: Tally, model: string): Promise<void> {
  const c = client(url, token);
  const worker = async (n: number): Promise<void> => {
    for (let i = 0; until(deadline); i++) {
      const cancelEarly = (n + i) % 2 === 0;
      const outcome = await new Promise<string>((resolve) => {
        let unsubscribe: () => void = () => undefined;
        unsubscribe = c.subscribe(
          { query: CHAT, variables: { input: { model, messages: [{ role: 'USER', content: 'Hi' }] } } },
          {
            next: (r) => {
              if (cancelEarly && (r.data as { chatCompletion?: { type?: string } } | undefined)?.chatCompletion?.type === 'DELTA') {
                unsubscribe();
                resolve('cancelled after first delta');
              }
            },
            error: (e) => resolve(Array.isArray(e) ? `error ${(e[0] as { extensions?: { code?: string } })?.extensions?.code ?? 'no code'}` : 'closed'),
            complete: () => resolve('complete'),
          },
        );
      });
      bump(t, outcome);
      if (outcome.startsWith('error')) await sleep(50); // refused (a stream limit): do not spin
    }
  };
  try {
    await Promise.all(Array.from({ length: 40 }, (_, n) => worker(n)));
  } finally {
    await c.dispose();
  }
}

async function attack(cmd: AttackCommand): Promise<AttackReport> {
  const deadline = performance.now() + cmd.durationMs;
  const outcomes = Object.fromEntries(ATTACK_KINDS.map((k) => [k, {} as Tally])) as Record<AttackKind, Tally>;
  const elu0 = performance.eventLoopUtilization();
  const runs: Array<Promise<void>> = [];
  ATTACK_KINDS.forEach((kind, k) => {
    if (!cmd.kinds.includes(kind)) return;
    for (let i = 0; i < cmd.perKind; i++) {
      const token = cmd.tokens[k * cmd.perKind + i]!;
      const t = outcomes[kind];
      const one =
        kind === 'oversized' ? oversized(cmd.url, token, deadline, t)
        : kind === 'alias' ? alias(cmd.url, token, deadline, t)
        : kind === 'flood' ? flood(cmd.url, token, deadline, t)
        : hog(cmd.url, token, deadline, t, cmd.model);
      runs.push(one.catch((err: unknown) => bump(t, `attacker failed: ${(err as Error).message}`)));
    }
  });
  await Promise.all(runs);
  return { type: 'attack-done', id: cmd.id, outcomes, eventLoopUtilization: performance.eventLoopUtilization(elu0).utilization };
}

process.on('message', (m: AttackCommand) => {
  if (m?.type !== 'attack') return;
  void attack(m).then((r) => process.send?.(r));
});
const ready: ReadyMessage = { type: 'ready', port: 0 };
process.send?.(ready);
