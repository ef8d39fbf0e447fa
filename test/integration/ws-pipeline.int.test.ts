import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { collect, wsClient } from '../support/gql-client';
import { ADD_KEY } from '../support/keys';
import { mockAwsCredentials, mockKey, startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { leakedSecrets } from '../support/secret-scan';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

/**
 * The graphql-ws request pipeline as a hostile or clumsy client meets it: bad variables, bad
 * documents, oversized messages. Every refusal is an `error` message with a code (and locations
 * where the document has them), and no error path logs a submitted value.
 */
const MiB = 1024 * 1024;

interface WsError {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  extensions?: { code?: string };
}

/** Runs one operation; `errors` is the payload of an `error` message, `results` the `next` ones. */
async function run(client: Client, query: string, variables: Record<string, unknown> = {}, operationName?: string) {
  return new Promise<{ results: Array<{ data?: unknown; errors?: WsError[] }>; errors?: WsError[] }>((resolve) => {
    const results: Array<{ data?: unknown; errors?: WsError[] }> = [];
    client.subscribe(
      { query, variables, ...(operationName ? { operationName } : {}) },
      {
        next: (r) => results.push(r as { data?: unknown; errors?: WsError[] }),
        error: (e) => resolve({ results, errors: Array.isArray(e) ? (e as WsError[]) : [{ message: String(e) }] }),
        complete: () => resolve({ results }),
      },
    );
  });
}

/** Opens a raw WebSocket with the graphql-ws subprotocol and reports how it closed. */
function rawSocket(url: string): { ws: WebSocket; closed: Promise<number> } {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  return { ws, closed };
}

describe('graphql-ws request pipeline', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let token: string;
  let client: Client;
  const secrets: string[] = [];

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('wspipe', { ...mock.env(), ...FAST_VALIDATION_ENV });
    token = (await t.createUser()).token;
    client = wsClient(t.url, token);
  });
  afterAll(async () => {
    await client.dispose();
    await t.stop();
    await mock.close();
  });

  it('a bad variable is BAD_USER_INPUT as an `error` message even after the document succeeded, and the value is never logged', async () => {
    const good = mockKey(ProviderId.OPENAI, 'good', 'wspipe-1');
    secrets.push(good);
    const first = await run(client, ADD_KEY, { input: { provider: 'OPENAI', apiKey: good } });
    expect(first.errors).toBeUndefined();
    expect(first.results[0]?.errors).toBeUndefined();

    const apiKey = mockKey(ProviderId.ANTHROPIC, 'good', 'wspipe-2');
    const aws = mockAwsCredentials('good', 'wspipe-3');
    secrets.push(apiKey, aws.secretAccessKey);
    const bad = [
      { input: { provider: 'NOT_A_PROVIDER', apiKey } },
      { input: { provider: 'BEDROCK', awsCredentials: { ...aws, region: 5 } } },
      { input: { provider: 'ANTHROPIC', apiKey, extra: apiKey } },
    ];
    for (const variables of bad) {
      const r = await run(client, ADD_KEY, variables);
      expect(r.results).toEqual([]);
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors?.[0]?.message).toMatch(/^Variable "\$input" has an invalid value/);
      expect(r.errors?.[0]?.locations).toEqual([{ line: 1, column: 10 }]);
    }
    const everything = `${t.logs.text()}\n${JSON.stringify(bad)}`;
    expect(leakedSecrets(t.logs.text(), secrets)).toEqual([]);
    expect(everything).toContain(apiKey); // the scan itself would see it
  });

  it('"Unable to identify operation" has a code', async () => {
    const r = await run(client, 'query A { me { id } } query B { me { id } }');
    expect(r.errors?.[0]?.message).toMatch(/^Unable to identify operation/);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('errors keep their locations, in `error` and `next` messages alike', async () => {
    const invalid = await run(client, '{\n  me { nope }\n}');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(invalid.errors?.[0]?.locations).toEqual([{ line: 2, column: 8 }]);
    const sub = collect<unknown>(client, 'subscription($input: ChatCompletionInput!) {\n  chatCompletion(input: $input) { type }\n}', {
      input: { model: 'nope/unknown-model', messages: [{ role: 'USER', content: 'hi' }] },
    });
    const { results } = await sub.done;
    const e = results[0]?.errors?.[0] as WsError | undefined;
    expect(e?.extensions?.code).toBe('MODEL_NOT_FOUND');
    expect(e?.locations).toEqual([{ line: 2, column: 3 }]);
  });

  it('documents are capped as on HTTP: tokens (parsing stops), aliases, depth', async () => {
    const tokens = await run(client, `subscription { ${'a '.repeat(1_000_000)}}`);
    expect(tokens.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tokens.errors?.[0]?.message).toMatch(/contains more tha[nt] 2000 tokens/);
    const aliases = await run(client, `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ')} }`);
    expect(aliases.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
    let sel = 'id';
    for (let i = 0; i < 6; i++) sel = `organizations { organization { members { user { ${sel} } } } }`;
    const deep = await run(client, `{ me { ${sel} } }`);
    expect(deep.errors?.[0]?.message).toMatch(/Query depth limit of 10 exceeded/);
  });

  it('takes a 19 MiB message once authenticated, and closes the socket with 1009 on a 21 MiB one', async () => {
    // graphql-ws writes any socket error to stderr with a stack: a client's oversized message must not.
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const mutation = 'mutation($n: String!) { createOrganization(name: $n) { id } }';
    const big = await run(client, mutation, { n: 'x'.repeat(19 * MiB) });
    expect(big.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(big.results[0]?.errors?.[0]?.message).toMatch(/name must be at most/);

    let closedWith: number | undefined;
    const own = wsClient(t.url, token, { onClosed: (code) => (closedWith = code) });
    try {
      const r = await run(own, mutation, { n: 'x'.repeat(21 * MiB) });
      expect(r.results).toEqual([]);
      await waitFor(() => closedWith !== undefined, 'the socket to close', 5000);
      expect(closedWith).toBe(1009);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      await own.dispose();
    }
  });

  it('before connection_init is accepted a socket takes no more than 64 KiB at once', async () => {
    const { ws, closed } = rawSocket(t.url);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}`, pad: 'x'.repeat(100 * 1024) } }));
    expect(await closed).toBe(1009);

    // A normal init (a token, not a prompt) is accepted.
    const ok = rawSocket(t.url);
    await new Promise((resolve) => ok.ws.once('open', resolve));
    const acked = new Promise<string>((resolve) => ok.ws.once('message', (m: Buffer) => resolve(m.toString())));
    ok.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    expect(JSON.parse(await acked)).toEqual({ type: 'connection_ack' });
    ok.ws.close();
    await ok.closed;
  });
});
