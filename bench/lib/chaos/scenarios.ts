/**
 * The chaos bench's three scenarios (issue 16), each on a fresh rig (rig.ts). Each returns what
 * the clients saw per phase, the usage records as Postgres holds them, what /readyz said during
 * the fault and how long after the heal or restart it answered 200, and its verdict.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client as WsClient } from 'graphql-ws';
import type { GatewayLogSummary } from '../stream/gateway';
import { waitRecords, type RecordCount } from './records';
import { ReadyzWatch } from './readyz-watch';
import type { Rig } from './rig';
import { COMPLETED, scheduleStreams, spread, streamOnNewSocket, StreamRun, tally, type PhaseRow, type StreamResult } from './streams';

export interface ChaosFlags {
  deltas: number;
  interval: number;
  'redis-streams': number;
  'redis-new': number;
  'redis-outage-ms': number;
  'pg-open': number;
  'pg-new': number;
  'pg-outage-ms': number;
  'pg-idle-ms': number;
  'kill-streams': number;
  'kill-after-ms': number;
  'sweep-timeout': number;
  'records-timeout': number;
}

export interface ScenarioReport {
  scenario: string;
  phases: PhaseRow[];
  records: RecordCount & { landedAfterMs: number | null };
  /** /readyz answers while the fault lasted, by status. */
  readyzDuringFault: Record<string, number>;
  /** ms from the heal (or the restart's spawn) to the first /readyz 200. */
  readyMs: number | null;
  /** In-flight journal entries left in Redis once the records were counted (should be none). */
  journalLeft: number;
  verdicts: Array<{ text: string; pass: boolean }>;
  /** Facts worth a line under the table. */
  notes: string[];
  gatewayLogs: GatewayLogSummary;
  /** The last lines the (current) gateway process wrote to stderr: graphql-ws prints socket errors there, not to the log. */
  gatewayStderrTail: string;
}

/** How long a stream may take past its nominal length before it counts as timed out. */
const streamTimeout = (f: ChaosFlags): number => f.deltas * f.interval + 60_000;
const settleMs = 6_000;

const bySocket =
  (sockets: readonly WsClient[], phase: string, f: ChaosFlags) =>
  (i: number): StreamRun =>
    new StreamRun(phase, sockets[i % sockets.length]!, streamTimeout(f));

const CONTROL_UNKNOWN = 'control: new socket, token never seen';
const CONTROL_MUTATION = 'control: addByokKey over HTTP';

/** A key management mutation during the cut, by a user whose token the gateway has seen: its error code. */
async function keyMutationOutcome(url: string, token: string): Promise<string> {
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: 'mutation($input: AddByokKeyInput!) { addByokKey(input: $input) { id } }',
        variables: { input: { provider: 'ANTHROPIC', apiKey: `sk-ant-bench-chaos-${randomBytes(16).toString('hex')}` } },
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    const code = body.errors?.[0]?.extensions?.code;
    return code ? `error ${code} (HTTP ${res.status})` : `succeeded (HTTP ${res.status})`;
  } catch (err) {
    return `request failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 80);
  }
}

const ids = (results: readonly StreamResult[]): string[] => results.flatMap((r) => (r.requestId ? [r.requestId] : []));

/**
 * Redis SIGKILLed mid-stream for `redis-outage-ms` with `redis-streams` streams running; `redis-new`
 * more start during the outage; Redis comes back empty on the same port. Nothing may be lost.
 */
export async function redisScenario(rig: Rig, f: ChaosFlags): Promise<ScenarioReport> {
  const watch = new ReadyzWatch(rig.gateway.url);
  const running = await scheduleStreams(f['redis-streams'], spread(f['redis-streams'], 0, 500), bySocket(rig.sockets, 'running when Redis dies', f));
  await Promise.all(running.map((s) => s.firstDelta));
  await sleep(1000);
  const cutAt = Date.now();
  await rig.redis.kill();
  const during = scheduleStreams(f['redis-new'], spread(f['redis-new'], 200, f['redis-outage-ms'] - 1000), bySocket(rig.sockets, 'started during the outage', f));
  await sleep(Math.max(0, cutAt + f['redis-outage-ms'] - Date.now()));
  const healAt = Date.now();
  await rig.redis.start();
  const readyMs = await watch.msToReadyAfter(healAt);
  const results = await Promise.all([...running, ...(await during)].map((s) => s.done));
  await watch.stop();
  const records = await waitRecords(rig.direct, ids(results), { timeoutMs: f['records-timeout'] * 1000, settleMs, sinceMs: healAt });
  const phases = [tally('running when Redis dies', results.filter((r) => r.phase === 'running when Redis dies')), tally('started during the outage', results.filter((r) => r.phase === 'started during the outage'))];
  const total = results.length;
  const completed = results.filter((r) => r.outcome === COMPLETED).length;
  return {
    scenario: 'redis',
    phases,
    records,
    readyzDuringFault: watch.statusesBetween(cutAt, healAt),
    readyMs,
    journalLeft: await rig.redis.journalEntries(),
    verdicts: [
      { text: `Redis ${f['redis-outage-ms'] / 1000} s cut: ${completed} of ${total} streams completed`, pass: completed === total },
      { text: `Redis cut: ${records.landed} of ${total} usage records landed, ${records.duplicated} duplicated (nothing lost)`, pass: records.landed === total && records.duplicated === 0 },
    ],
    notes: [`Redis SIGKILLed ${f['redis-outage-ms']} ms, restarted empty on the same port`],
    gatewayLogs: rig.gateway.logs(),
    gatewayStderrTail: rig.gateway.child.stderrTail(),
  };
}

/**
 * Every user's key validated and used once (one stream each on its socket); then the proxy in front
 * of Postgres is cut for `pg-outage-ms`: `pg-open` streams start on the already-open sockets and
 * `pg-new` on new sockets of the same users (tokens seen before); heal.
 */
export async function postgresScenario(rig: Rig, f: ChaosFlags): Promise<ScenarioReport> {
  const warm = await Promise.all(rig.sockets.map((s) => new StreamRun('before the cut (warm-up)', s, streamTimeout(f)).done));
  // Past the token cache's TTL, a token check must reach Postgres: what the outage handling has to cover.
  await sleep(f['pg-idle-ms']);
  const watch = new ReadyzWatch(rig.gateway.url);
  await sleep(500);
  const cutAt = Date.now();
  rig.proxy.cut();
  const window = spread(f['pg-open'], 200, f['pg-outage-ms'] - 1000);
  const open = scheduleStreams(f['pg-open'], window, bySocket(rig.sockets, 'open socket, during the cut', f));
  const newSockets: Array<Promise<WsClient | undefined>> = [];
  const fresh = scheduleStreams(f['pg-new'], spread(f['pg-new'], 200, f['pg-outage-ms'] - 1000), (i) => {
    const s = streamOnNewSocket(rig.gateway.url, rig.tokens[i % rig.tokens.length]!, 'new socket (token seen), during the cut', streamTimeout(f));
    newSockets.push(s.socket);
    return s.run;
  });
  // Controls, half-way through the cut: what cannot be served must say UNAVAILABLE (a WebSocket: 1013).
  await sleep(Math.max(0, cutAt + f['pg-outage-ms'] / 2 - Date.now()));
  const unknown = streamOnNewSocket(rig.gateway.url, `byok_${randomBytes(32).toString('base64url')}`, CONTROL_UNKNOWN, streamTimeout(f));
  newSockets.push(unknown.socket);
  const mutation = keyMutationOutcome(rig.gateway.url, rig.tokens[0]!);
  await sleep(Math.max(0, cutAt + f['pg-outage-ms'] - Date.now()));
  const healAt = Date.now();
  rig.proxy.heal();
  const readyMs = await watch.msToReadyAfter(healAt);
  const during = await Promise.all([...(await open), ...(await fresh)].map((s) => s.done));
  const controls = [await unknown.run.done, { phase: CONTROL_MUTATION, requestId: undefined, deltas: 0, chars: 0, outcome: await mutation }];
  await watch.stop();
  for (const s of await Promise.all(newSockets)) await s?.dispose();
  const all = [...warm, ...during];
  const records = await waitRecords(rig.direct, ids(all), { timeoutMs: f['records-timeout'] * 1000, settleMs, sinceMs: healAt });
  const phaseNames = ['before the cut (warm-up)', 'open socket, during the cut', 'new socket (token seen), during the cut'];
  const phases = [...phaseNames.map((p) => tally(p, all.filter((r) => r.phase === p))), ...controls.map((c) => tally(c.phase, [c]))];
  const controlsOk = controls.every((c) => /UNAVAILABLE|socket closed 1013/.test(c.outcome));
  const completed = during.filter((r) => r.outcome === COMPLETED).length;
  const ise = during.filter((r) => r.outcome === 'error INTERNAL_SERVER_ERROR').length;
  const openRow = phases[1]!;
  const newRow = phases[2]!;
  return {
    scenario: 'postgres',
    phases,
    records,
    readyzDuringFault: watch.statusesBetween(cutAt, healAt),
    readyMs,
    journalLeft: await rig.redis.journalEntries(),
    verdicts: [
      { text: `Postgres ${f['pg-outage-ms'] / 1000} s cut: ${completed} of ${during.length} streams for known owners completed (open sockets ${openRow.completed}/${openRow.started}, new sockets ${newRow.completed}/${newRow.started})`, pass: completed === during.length },
      { text: `Postgres cut: ${ise} INTERNAL_SERVER_ERROR`, pass: ise === 0 },
      { text: `Postgres cut, controls: a token never seen → ${controls[0]!.outcome}, addByokKey → ${controls[1]!.outcome} (UNAVAILABLE / 1013 expected)`, pass: controlsOk },
      { text: `Postgres cut: ${records.landed} of ${records.expected} usage records of routed streams landed, ${records.duplicated} duplicated`, pass: records.landed === records.expected && records.duplicated === 0 },
    ],
    notes: [
      `proxy cut ${f['pg-outage-ms']} ms: every open connection to Postgres destroyed, new ones refused`,
      `warm-up: one stream per user, then ${f['pg-idle-ms']} ms without traffic before the cut (the gateway's AUTH_CACHE_TTL_MS is 30 s by default)`,
    ],
    gatewayLogs: rig.gateway.logs(),
    gatewayStderrTail: rig.gateway.child.stderrTail(),
  };
}

/**
 * `kill-streams` streams in flight (each past its first DELTA, so the upstream was called with the
 * user's key) for `kill-after-ms` more, then SIGKILL of the gateway; restart on the same database and
 * Redis; wait for the sweeper to turn the journal into ABORTED records.
 */
export async function sigkillScenario(rig: Rig, f: ChaosFlags): Promise<ScenarioReport> {
  const streams = await scheduleStreams(f['kill-streams'], spread(f['kill-streams'], 0, 500), bySocket(rig.sockets, 'in flight at SIGKILL', f));
  await Promise.all(streams.map((s) => s.firstDelta));
  await sleep(f['kill-after-ms']);
  const deltasAtKill = streams.reduce((s, r) => s + r.deltas, 0);
  // The service estimates streamed output as ceil(characters / 4) (usage-tally.ts); the same from the client's side.
  const tokensAtKill = streams.reduce((s, r) => s + Math.ceil(r.chars / 4), 0);
  const inFlight = streams.filter((s) => s.deltas > 0).length;
  const killAt = Date.now();
  await rig.gateway.kill();
  const results = await Promise.all(streams.map((s) => s.done));
  const restartAt = Date.now();
  const watch = new ReadyzWatch(rig.gateway.url);
  await rig.gateway.restart();
  const readyMs = await watch.msToReadyAfter(restartAt);
  await watch.stop();
  const records = await waitRecords(rig.direct, ids(results), { timeoutMs: f['sweep-timeout'] * 1000, settleMs, sinceMs: killAt });
  const n = results.length;
  return {
    scenario: 'sigkill',
    phases: [tally('in flight at SIGKILL', results)],
    records,
    readyzDuringFault: {},
    readyMs,
    journalLeft: await rig.redis.journalEntries(),
    verdicts: [
      { text: `SIGKILL with ${inFlight} in flight: ${records.landed} of ${n} records, ${records.duplicated} duplicates`, pass: records.landed === n && records.duplicated === 0 && inFlight === n },
      {
        text: `swept records ABORTED and estimated: ${records.byStatus.ABORTED ?? 0} ABORTED, ${records.estimated} estimated of ${records.landed}`,
        pass: (records.byStatus.ABORTED ?? 0) === records.landed && records.estimated === records.landed && records.landed > 0,
      },
    ],
    notes: [
      `SIGKILL ${f['kill-after-ms']} ms after every stream's first DELTA; the clients had received ${deltasAtKill} DELTAs in all, ≈ ${tokensAtKill} tokens at the service's 4 characters a token; the records hold ${records.outputTokens} output tokens (each stream's last checkpoint, every INFLIGHT_CHECKPOINT_MS 2 s or 100 deltas, so somewhat fewer)`,
      `ready = the restarted process's spawn → /readyz 200 (ts-node compiles at start); records landed ${records.landedAfterMs ?? '–'} ms after the kill (heartbeat TTL + sweep interval)`,
    ],
    gatewayLogs: rig.gateway.logs(),
    gatewayStderrTail: rig.gateway.child.stderrTail(),
  };
}
