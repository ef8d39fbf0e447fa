import { createCatalog } from '../../src/catalog/catalog';
import { ProviderId } from '../../src/providers/types';
import { STREAM_FIXTURES } from '../fixtures/providers/expectations';
import { startTestApp, type TestApp } from '../support/app';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { CHAT, chatEvents } from '../support/chat';
import { parse } from 'graphql';
import { buildAppSchema } from '../../src/server/schema';
import { hasPassThroughPlan } from '../../src/server/pass-through-subscribe';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { leakedSecrets } from '../support/secret-scan';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

/** How each provider presents the key on the wire (checked on the request the mock received). */
function authHeaderOf(p: ProviderId, headers: Record<string, string | string[] | undefined>): string | undefined {
  const h = (n: string) => headers[n] as string | undefined;
  switch (p) {
    case ProviderId.ANTHROPIC:
    case ProviderId.MINIMAX:
      return h('x-api-key');
    case ProviderId.GOOGLE:
      return h('x-goog-api-key');
    case ProviderId.BEDROCK:
      return h('authorization')?.match(/^AWS4-HMAC-SHA256 Credential=(AKIA[A-Z0-9]+)\//)?.[1];
    default:
      return h('authorization')?.replace(/^Bearer /, '');
  }
}

describe('chatCompletion: every provider streams end to end through the caller’s key', () => {
  let mock: MockUpstream;
  let t: TestApp;
  const catalog = createCatalog();
  const secrets: string[] = [];

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('chat', { ...mock.env(), ...FAST_VALIDATION_ENV });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  it.each(Object.values(ProviderId))('%s', async (provider) => {
    const u = await t.createUser();
    const { input, secret } = mockKeyInput(provider, 'good');
    secrets.push(secret);
    const key = (await t.gql.ok<{ addByokKey: { id: string; hint: string } }>(ADD_KEY, { input }, u.token)).addByokKey;
    expect(await settledStatus(t, key.id)).toBe('VALID');
    const model = catalog.list(provider)[0]!;
    const offer = model.offers.find((o) => o.provider === provider)!;
    mock.reset();

    const { events, errors } = await chatEvents(t, u.token, { model: model.id, messages: [{ role: 'USER', content: 'Say hello' }] });
    expect(errors).toEqual([]);
    const fixture = STREAM_FIXTURES[provider];
    const start = events[0]!;
    expect(start).toMatchObject({ type: 'START', provider, keySource: 'BYOK', keyId: key.id, keyHint: key.hint, upstreamModel: offer.upstreamModel });
    const deltas = events.filter((e) => e.type === 'DELTA');
    expect(deltas.map((d) => d.content ?? '').join('')).toBe(fixture.text);
    expect(deltas.map((d) => d.reasoning ?? '').join('')).toBe(fixture.reasoning);
    const usage = events.filter((e) => e.type === 'USAGE');
    expect(usage).toHaveLength(1);
    // The 1-hour share of the cache writes has no GraphQL field: it shows in the cost below.
    const { cacheWrite1hTokens: written1h = 0, ...counts } = fixture.usage;
    expect(usage[0]!.usage).toMatchObject({ ...counts, estimated: false });
    expect(events.at(-1)).toMatchObject({ type: 'DONE', finishReason: fixture.finishReason });
    expect(events.map((e) => e.type).filter((x, i, a) => a[i - 1] !== x)).toEqual(['START', 'DELTA', 'USAGE', 'DONE']);

    // The upstream saw the provider's own auth style carrying this key, and nothing else.
    const chatReqs = mock.requests.filter((r) => r.endpoint === 'chat');
    expect(chatReqs).toHaveLength(1);
    const presented = authHeaderOf(provider, chatReqs[0]!.headers);
    expect(presented).toBe(provider === ProviderId.BEDROCK ? (input.awsCredentials as { accessKeyId: string }).accessKeyId : secret);

    // Exactly one usage record, attributed to this key, with the fixture's tokens and catalog cost.
    const requestId = start.requestId;
    const rows = await waitFor(async () => {
      const r = (await t.app.db.query('SELECT * FROM usage_records WHERE request_id = $1', [requestId])) as Array<Record<string, unknown>>;
      return r.length ? r : undefined;
    }, 'the usage record');
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      user_id: u.id,
      organization_id: null,
      provider,
      key_source: 'BYOK',
      key_id: key.id,
      model: model.id,
      upstream_model: offer.upstreamModel,
      input_tokens: fixture.usage.inputTokens,
      output_tokens: fixture.usage.outputTokens,
      cached_input_tokens: fixture.usage.cachedInputTokens,
      cache_write_tokens: fixture.usage.cacheWriteTokens,
      reasoning_tokens: fixture.usage.reasoningTokens,
      usage_estimated: false,
      status: 'SUCCEEDED',
      error_code: null,
    });
    const p = offer.price!;
    // 1-hour cache writes (Anthropic's fixture) at their own price.
    const expectedCost = Math.round(
      (fixture.usage.inputTokens - fixture.usage.cachedInputTokens - fixture.usage.cacheWriteTokens) * p.inputPerMTok +
        fixture.usage.cachedInputTokens * p.cachedInputPerMTok +
        (fixture.usage.cacheWriteTokens - written1h) * p.cacheWritePerMTok +
        written1h * (p.cacheWrite1hPerMTok ?? p.cacheWritePerMTok) +
        fixture.usage.outputTokens * p.outputPerMTok,
    );
    expect(Number(row.cost_micro_usd)).toBe(expectedCost);
    expect(usage[0]!.usage!.costMicroUsd).toBe(expectedCost);
    expect(row.time_to_first_token_ms).not.toBeNull();
    // lastUsedAt was recorded.
    await waitFor(async () => ((await t.app.db.query('SELECT last_used_at FROM byok_keys WHERE id = $1', [key.id]))[0].last_used_at ? true : undefined), 'lastUsedAt');
  });

  it('streamed events skip graphql-js execute, even after HTTP operations ran on the same schema', async () => {
    // Apollo plugins with willResolveField wrap every resolver of the shared schema in place,
    // which would silently turn the fast path off (server/pass-through-subscribe.ts).
    expect(t.gql.transcript.length).toBeGreaterThan(18);
    expect(hasPassThroughPlan(await buildAppSchema(), parse(CHAT))).toBe(true);
  });

  it('no secret reached a log line or a response', () => {
    expect(secrets).toHaveLength(18);
    expect(leakedSecrets(`${t.logs.text()}\n${t.gql.transcript.join('\n')}`, secrets)).toEqual([]);
  });
});

