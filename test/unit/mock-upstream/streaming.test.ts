import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ProviderId } from '../../../src/providers/types';
import { encodeBedrockJsonl } from '../../fixtures/providers/bedrock-frames';
import { STREAM_FIXTURES } from '../../fixtures/providers/expectations';
import { DEFAULT_FIXTURES_DIR, type MockUpstream, mockKey, startMockUpstream, syntheticWord } from '../../support/mock-upstream';
import { chat, readChunks } from './helpers';

/** The bytes a fixture file should arrive as (Bedrock: its event-stream frames). */
function expectedBytes(file: string): Buffer {
  const raw = readFileSync(path.join(DEFAULT_FIXTURES_DIR, file));
  return file.endsWith('.jsonl') ? Buffer.concat(encodeBedrockJsonl(raw.toString('utf8'))) : raw;
}

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ chunkJitterSeed: 42 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('chat streams replay the recorded fixtures', () => {
  it.each(Object.values(ProviderId))('%s reassembles to the fixture bytes, split into chunks', async (provider) => {
    const res = await chat(mock, provider, mockKey(provider, 'good'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      provider === ProviderId.BEDROCK ? 'application/vnd.amazon.eventstream' : 'text/event-stream',
    );
    const { chunks, bytes } = await readChunks(res);
    expect(bytes.equals(expectedBytes(STREAM_FIXTURES[provider].file))).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('Bedrock: the model id arrives URL-encoded and is routed', async () => {
    const res = await chat(mock, ProviderId.BEDROCK, mockKey(ProviderId.BEDROCK, 'good'));
    await readChunks(res);
    const r = await mock.waitForRequest((x) => x.provider === ProviderId.BEDROCK);
    expect(r.path).toBe('/bedrock/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream');
  });

  it.each([ProviderId.XAI, ProviderId.ANTHROPIC, ProviderId.GOOGLE, ProviderId.BEDROCK])(
    '%s: no-usage and midstream-error keys stream their fixtures',
    async (provider) => {
      const noUsage = await readChunks(await chat(mock, provider, mockKey(provider, 'no-usage')));
      expect(noUsage.bytes.equals(expectedBytes(STREAM_FIXTURES[provider].noUsageFile))).toBe(true);
      const mid = await chat(mock, provider, mockKey(provider, 'midstream-error'));
      expect(mid.status).toBe(200);
      expect((await readChunks(mid)).bytes.equals(expectedBytes(STREAM_FIXTURES[provider].midstreamErrorFile))).toBe(true);
    },
  );

  it('OpenAI sends usage only when stream_options.include_usage is set', async () => {
    const res = await chat(mock, ProviderId.OPENAI, mockKey(ProviderId.OPENAI, 'good'), { body: { stream_options: undefined } });
    const { bytes } = await readChunks(res);
    expect(bytes.equals(expectedBytes(STREAM_FIXTURES[ProviderId.OPENAI].noUsageFile))).toBe(true);
  });

  it('non-streaming calls are refused with a diagnostic 400', async () => {
    const res = await chat(mock, ProviderId.MISTRAL, mockKey(ProviderId.MISTRAL, 'good'), { body: { stream: false } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('only streaming');
  });

  it('a client abort mid-stream sets clientClosedEarly', async () => {
    mock.setSyntheticStream({ deltas: 2000, intervalMs: 2 });
    const controller = new AbortController();
    const res = await chat(mock, ProviderId.OPENAI, mockKey(ProviderId.OPENAI, 'good'), { signal: controller.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toContain(syntheticWord(1));
    controller.abort();
    const r = await mock.waitFor((rs) => rs.find((x) => x.endpoint === 'chat' && x.clientClosedEarly));
    expect(r.finished).toBe(false);
    expect(r.status).toBe(200);
  });

  it('a finished stream is not clientClosedEarly', async () => {
    await readChunks(await chat(mock, ProviderId.ANTHROPIC, mockKey(ProviderId.ANTHROPIC, 'good')));
    const r = await mock.waitForRequest((x) => x.endpoint === 'chat' && x.finished);
    expect(r.clientClosedEarly).toBe(false);
  });

  it('synthetic stream: one-word deltas, then usage and [DONE]', async () => {
    mock.setSyntheticStream({ deltas: 5, intervalMs: 0 });
    const { bytes } = await readChunks(await chat(mock, ProviderId.OPENAI, mockKey(ProviderId.OPENAI, 'good')));
    const events = bytes
      .toString()
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .map((e) => e.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: Array<{ delta: { content?: string } }>; usage: unknown });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe([1, 2, 3, 4, 5].map(syntheticWord).join(''));
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });
});
