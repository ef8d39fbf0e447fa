/**
 * The agent loop through each of the four dialects, over a real graphql-ws client: turn 1
 * streams two parallel tool calls (one without arguments) that must assemble exactly; turn 2
 * replays the calls, their results and the turn's reasoningDetails and gets the final answer.
 * The upstream request body of both turns is compared with a golden file per dialect
 * (test/fixtures/golden/tool-loop-<dialect>.json; UPDATE_GOLDEN=1 rewrites them, then read the diff).
 */
import { ProviderId } from '../../src/providers/types';
import { startTestApp, type TestApp } from '../support/app';
import { type ChatEvent, chatEvents } from '../support/chat';
import { ADD_KEY, mockKeyInput, settledStatus } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { leakedSecrets } from '../support/secret-scan';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { compareGolden } from '../support/golden';
import { RECORDS, SUMMARY, type Totals } from '../support/usage';
import { waitFor } from '../support/wait';

export const TOOLS = [
  {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'], additionalProperties: false },
  },
  { name: 'get_time', description: 'The local time' },
];

const CASES = [
  { dialect: 'openai', provider: ProviderId.OPENAI, model: 'openai/gpt-5.4', weatherArgs: '{"city":"Paris"}', cacheWrites: 32 },
  { dialect: 'anthropic', provider: ProviderId.ANTHROPIC, model: 'anthropic/claude-sonnet-4.6', weatherArgs: '{"city": "Paris"}', cacheWrites: 120 },
  { dialect: 'gemini', provider: ProviderId.GOOGLE, model: 'google/gemini-3-flash-preview', weatherArgs: '{"city":"Paris"}', cacheWrites: 0 },
  { dialect: 'bedrock', provider: ProviderId.BEDROCK, model: 'anthropic/claude-sonnet-4.6', weatherArgs: '{"city":"Paris"}', cacheWrites: 120 },
] as const;

/** Merges streamed tool-call pieces the way an OpenAI-style client does: by index. */
export function assembleCalls(events: ChatEvent[]): { id: string; name: string; arguments: string }[] {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const e of events) {
    for (const piece of e.toolCalls ?? []) {
      const call = (calls[piece.index] ??= { id: '', name: '', arguments: '' });
      if (piece.id) call.id = piece.id;
      if (piece.name) call.name = piece.name;
      call.arguments += piece.arguments ?? '';
    }
  }
  return calls;
}

describe('tool loop through every dialect (graphql-ws, golden upstream bodies)', () => {
  let mock: MockUpstream;
  let t: TestApp;
  const secrets: string[] = [];

  beforeAll(async () => {
    mock = await startMockUpstream();
    t = await startTestApp('chattools', { ...mock.env(), ...FAST_VALIDATION_ENV });
  });
  afterAll(async () => {
    await t.stop();
    await mock.close();
  });

  it.each(CASES)('$dialect: two parallel calls assemble, the replayed turn gets the answer', async (c) => {
    const u = await t.createUser();
    const { input: keyInput, secret } = mockKeyInput(c.provider, 'good');
    secrets.push(secret);
    const key = (await t.gql.ok<{ addByokKey: { id: string } }>(ADD_KEY, { input: keyInput }, u.token)).addByokKey;
    expect(await settledStatus(t, key.id)).toBe('VALID');
    mock.reset();

    const history = [
      { role: 'SYSTEM', content: 'You are a concise assistant.' },
      { role: 'USER', content: 'Weather and time in Paris?' },
    ];
    const base = { model: c.model, provider: c.provider, tools: TOOLS, reasoning: { effort: 'LOW' } };
    const turn1 = await chatEvents(t, u.token, { ...base, messages: history });
    expect(turn1.errors).toEqual([]);
    const calls = assembleCalls(turn1.events);
    expect(calls.map((x) => [x.name, x.arguments])).toEqual([
      ['get_weather', c.weatherArgs],
      ['get_time', '{}'],
    ]);
    // Distinct ids, and every first piece carries id and name (§2 "Target").
    expect(new Set(calls.map((x) => x.id)).size).toBe(2);
    for (const e of turn1.events) for (const p of e.toolCalls ?? []) if (p.name) expect(p.id).toBeTruthy();
    const done1 = turn1.events.at(-1)!;
    expect(done1).toMatchObject({ type: 'DONE', finishReason: 'tool_calls' });
    expect(Array.isArray(done1.reasoningDetails)).toBe(true);
    expect(turn1.events.find((e) => e.type === 'USAGE')!.usage).toMatchObject({ cacheWriteTokens: c.cacheWrites, estimated: false });

    const turn2 = await chatEvents(t, u.token, {
      ...base,
      messages: [
        ...history,
        { role: 'ASSISTANT', content: 'Checking both.', toolCalls: calls, reasoningDetails: done1.reasoningDetails },
        { role: 'TOOL', toolCallId: calls[0]!.id, content: '18°C' },
        { role: 'TOOL', toolCallId: calls[1]!.id, content: '14:02' },
      ],
    });
    expect(turn2.errors).toEqual([]);
    expect(turn2.events.map((e) => e.content ?? '').join('')).toBe('It is 18°C in Paris and 14:02.');
    expect(turn2.events.at(-1)).toMatchObject({ type: 'DONE', finishReason: 'stop' });

    const chats = mock.requests.filter((r) => r.endpoint === 'chat');
    expect(chats).toHaveLength(2);
    // Ids the gateway generated (Gemini sends none) differ per run: name them in the golden file.
    const ids = new Map(calls.map((x, i) => [x.id, `<call ${i}>`]));
    const stable = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v), (_k, value: unknown) => (typeof value === 'string' && ids.has(value) ? ids.get(value) : value));
    compareGolden(`tool-loop-${c.dialect}`, { turn1: stable(chats[0]!.body), turn2: stable(chats[1]!.body) });

    // Cache reads and writes of both turns reach the records and usageSummary, as the USAGE events said.
    const shown = [turn1, turn2].map((x) => x.events.find((e) => e.type === 'USAGE')!.usage!);
    const filter = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const records = await waitFor(async () => {
      const d = await t.gql.ok<{ usageRecords: { edges: { node: { cacheWriteTokens: number; cachedInputTokens: number; costMicroUsd: number } }[] } }>(RECORDS, { filter }, u.token);
      return d.usageRecords.edges.length === 2 ? d.usageRecords.edges.map((e) => e.node) : undefined;
    }, 'both usage records');
    expect(records.map((r) => r.cacheWriteTokens).sort()).toEqual(shown.map((x) => x.cacheWriteTokens).sort());
    expect(records.map((r) => r.costMicroUsd).sort()).toEqual(shown.map((x) => x.costMicroUsd).sort());
    const summary = await t.gql.ok<{ usageSummary: { totals: Totals }[] }>(SUMMARY, { filter, groupBy: [] }, u.token);
    expect(summary.usageSummary[0]!.totals).toMatchObject({
      requests: 2,
      cacheWriteTokens: shown[0]!.cacheWriteTokens + shown[1]!.cacheWriteTokens,
      cachedInputTokens: shown[0]!.cachedInputTokens + shown[1]!.cachedInputTokens,
    });
    expect(summary.usageSummary[0]!.totals.costMicroUsd).toBeCloseTo(shown[0]!.costMicroUsd + shown[1]!.costMicroUsd, 0);
  });

  it('no fixture secret reached a response or a log line', () => {
    expect(leakedSecrets([t.logs.text(), ...t.gql.transcript].join('\n'), secrets)).toEqual([]);
  });
});
