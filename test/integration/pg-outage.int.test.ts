import type { Client } from 'pg';
import type { TestApp } from '../support/app';
import { startAppBehindPgProxy, type AppBehindPgProxy } from '../support/app-behind-pg-proxy';
import { CHAT, type ChatEvent } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import type { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

const INPUT = { model: 'openai/gpt-5.4-mini', messages: [{ role: 'USER', content: 'Hi' }] };

describe('completions through a Postgres outage (issue 16)', () => {
  let env: AppBehindPgProxy;
  let proxy: TcpProxy;
  let t: TestApp;
  /** A connection that bypasses the proxy, to look at the database while the app cannot. */
  let direct: Client;

  beforeAll(async () => {
    env = await startAppBehindPgProxy('pgoutage');
    ({ proxy, t, direct } = env);
  });
  afterAll(() => env.stop());

  it('an owner routed before the cut keeps streaming on its open socket; an owner never seen gets UNAVAILABLE (postgres); the record lands once after the heal', async () => {
    const known = await t.createUser();
    const stranger = await t.createUser();
    for (const u of [known, stranger]) {
      const keyId = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: mockKeyInput('OPENAI', 'good').input }, u.token)).addByokKey.id;
      expect(await settledStatus(t, keyId)).toBe('VALID');
    }
    const knownSocket = wsClient(t.url, known.token);
    const strangerSocket = wsClient(t.url, stranger.token);
    try {
      // Both sockets stay open through the cut (a lazy client would close an idle one).
      for (const socket of [knownSocket, strangerSocket]) {
        const connected = new Promise<void>((resolve) => socket.on('connected', () => resolve()));
        socket.subscribe({ query: 'subscription { byokKeyStatusChanged { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
        await connected;
      }
      const chat = (c: typeof knownSocket) => collect<{ chatCompletion: ChatEvent }>(c, CHAT, { input: INPUT }).done;
      // The known owner routes once before the cut; the stranger never does.
      expect((await chat(knownSocket)).results.at(-1)?.data?.chatCompletion.type).toBe('DONE');

      proxy.cut();
      await new Promise((r) => setTimeout(r, 300));
      const during = await chat(knownSocket);
      expect(during.results.flatMap((r) => r.errors ?? [])).toEqual([]);
      expect(during.results.map((r) => r.data!.chatCompletion.type).slice(-2)).toEqual(['USAGE', 'DONE']);
      const requestId = during.results[0]!.data!.chatCompletion.requestId;

      const refused = await chat(strangerSocket);
      const errors = refused.results.flatMap((r) => r.errors ?? []);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions).toMatchObject({ code: 'UNAVAILABLE', dependency: 'postgres', retryable: true });

      proxy.heal();
      const count = async () => ((await direct.query('SELECT count(*)::int n FROM usage_records WHERE request_id = $1', [requestId])).rows[0] as { n: number }).n;
      await waitFor(async () => (await count()) === 1, 'the outage record to land after the heal', 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await count()).toBe(1);
    } finally {
      proxy.heal();
      await knownSocket.dispose();
      await strangerSocket.dispose();
    }
  }, 60_000);
});
