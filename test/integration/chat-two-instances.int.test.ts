import { startTestApp, type TestApp } from '../support/app';
import { chatEvents } from '../support/chat';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

interface Recorded {
  usageRecorded: {
    requestId: string;
    status: string;
    provider: string;
    model: string;
    outputTokens: number;
    key: { id: string } | null;
    user: { id: string };
  };
}

describe('two instances', () => {
  let mock: MockUpstream;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    mock = await startMockUpstream();
    a = await startTestApp('twousage', { ...mock.env(), ...FAST_VALIDATION_ENV, ROLE: 'api' });
    b = await startTestApp('twousage', { ...mock.env(), ...FAST_VALIDATION_ENV }, {
      databaseUrl: a.databaseUrl,
      queuePrefix: a.queuePrefix,
      dbName: new URL(a.databaseUrl).pathname.slice(1),
    });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
    await mock.close();
  });

  it('a usageRecorded subscriber on one instance hears a completion streamed on the other; others do not', async () => {
    const u = await a.createUser();
    const other = await a.createUser();
    const { input } = mockKeyInput('OPENAI', 'good');
    const keyId = (await b.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input }, u.token)).addByokKey.id;
    expect(await settledStatus(b, keyId)).toBe('VALID');

    const query = 'subscription { usageRecorded { requestId status provider model outputTokens key { id } user { id } } }';
    const mine = wsClient(a.url, u.token);
    const theirs = wsClient(a.url, other.token);
    try {
      const sub = collect<Recorded>(mine, query);
      const otherSub = collect<Recorded>(theirs, query);
      await new Promise((r) => setTimeout(r, 500));
      const { events } = await chatEvents(b, u.token, { model: 'openai/gpt-5.4-mini', messages: [{ role: 'USER', content: 'Hi' }] });
      const requestId = events[0]!.requestId;
      const got = await waitFor(() => sub.results.find((r) => r.data?.usageRecorded.requestId === requestId), 'the usage event on instance A');
      expect(got.data!.usageRecorded).toMatchObject({ status: 'SUCCEEDED', provider: 'OPENAI', model: 'openai/gpt-5.4-mini', key: { id: keyId }, user: { id: u.id } });
      expect(got.data!.usageRecorded.outputTokens).toBe(events.find((e) => e.type === 'USAGE')!.usage!.outputTokens);
      await new Promise((r) => setTimeout(r, 300));
      expect(otherSub.results).toEqual([]);
      sub.cancel();
      otherSub.cancel();
    } finally {
      await mine.dispose();
      await theirs.dispose();
    }
  }, 60_000);
});
