import { AnthropicMessagesNormalizer, anthropicFinishReason } from '../../../src/providers/dialects/anthropic-messages';
import { bedrockFinishReason, normalizeBedrockUsage } from '../../../src/providers/dialects/bedrock-converse';
import {
  asBedrockException,
  bedrockErrorInfo,
  bedrockMidstreamError,
  bedrockStreamException,
} from '../../../src/providers/dialects/bedrock-errors';
import { GeminiNormalizer, geminiFinishReason } from '../../../src/providers/dialects/gemini';
import { OpenAiChatNormalizer, normalizeOpenAiUsage } from '../../../src/providers/dialects/openai-chat';
import type { SseEvent } from '../../../src/providers/dialects/sse-parser';
import { PROVIDERS } from '../../../src/providers/registry';
import { UpstreamError } from '../../../src/providers/types';
import type { UpstreamEvent } from '../../../src/providers/types';
import { TEST_AWS, TEST_KEY, chatRequest } from './support/requests';

const credential = { kind: 'api_key', apiKey: TEST_KEY } as const;

function run(normalizer: { push(e: SseEvent, out: UpstreamEvent[]): boolean }, events: SseEvent[]): UpstreamEvent[] {
  const out: UpstreamEvent[] = [];
  for (const event of events) normalizer.push(event, out);
  return out;
}

describe('finish reason mapping', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ])('Anthropic %s → %s', (raw, mapped) => expect(anthropicFinishReason(raw)).toBe(mapped));

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
  ])('Gemini %s → %s', (raw, mapped) => expect(geminiFinishReason(raw)).toBe(mapped));

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['guardrail_intervened', 'content_filter'],
  ])('Bedrock %s → %s', (raw, mapped) => expect(bedrockFinishReason(raw)).toBe(mapped));
});

describe('usage normalization (providers.md §1.5)', () => {
  it('OpenAI: cached inside prompt; a provider reporting cached apart is added defensively', () => {
    expect(normalizeOpenAiUsage({ prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 80 } }, false)).toEqual({
      inputTokens: 100,
      outputTokens: 5,
      cachedInputTokens: 80,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(normalizeOpenAiUsage({ prompt_tokens: 12, completion_tokens: 1, cached_tokens: 300 }, false).inputTokens).toBe(312);
  });

  it('Bedrock: cache read and write are added to input', () => {
    expect(normalizeBedrockUsage({ inputTokens: 1, outputTokens: 2, totalTokens: 3, cacheWriteInputTokens: 4 })).toEqual({
      inputTokens: 5,
      outputTokens: 2,
      cachedInputTokens: 0,
      cacheWriteTokens: 4,
      reasoningTokens: 0,
    });
  });

  it('Bedrock: cacheDetails tell the 1-hour writes apart (priced higher for Claude)', () => {
    const usage = normalizeBedrockUsage({
      inputTokens: 1,
      outputTokens: 2,
      totalTokens: 3,
      cacheWriteInputTokens: 10,
      cacheDetails: [
        { ttl: '5m', inputTokens: 4 },
        { ttl: '1h', inputTokens: 6 },
      ],
    });
    expect(usage).toMatchObject({ cacheWriteTokens: 10, cacheWrite1hTokens: 6 });
  });

  it('Anthropic: message_delta fields win, absent ones keep message_start values', () => {
    const out = run(new AnthropicMessagesNormalizer({ provider: PROVIDERS.ANTHROPIC, credential, upstreamModel: 'test-model' }), [
      { event: 'message_start', data: '{"type":"message_start","message":{"usage":{"input_tokens":43,"cache_read_input_tokens":7,"output_tokens":1}}}' },
      { event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":61,"output_tokens":30}}' },
    ]);
    expect(out[out.length - 1]).toEqual({
      type: 'usage',
      usage: { inputTokens: 68, outputTokens: 30, cachedInputTokens: 7, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });
});

describe('in-stream errors', () => {
  it('OpenAI-compatible bare string error and numeric code', () => {
    const normalizer = new OpenAiChatNormalizer({ provider: PROVIDERS.ZAI, credential });
    expect(() => run(normalizer, [{ data: '{"error":"model overloaded"}' }])).toThrow(UpstreamError);
    expect(() => run(normalizer, [{ data: '{"error":{"code":1312,"message":"busy"}}' }])).toThrow(/Z\.ai.*1312.*busy|1312/);
  });

  it('scrubs the key out of an echoed error message', () => {
    const normalizer = new GeminiNormalizer({ provider: PROVIDERS.GOOGLE, credential, upstreamModel: 'test-model' });
    let caught: unknown;
    try {
      run(normalizer, [{ data: JSON.stringify({ error: { code: 500, message: `bad key ${TEST_KEY}`, status: 'INTERNAL' } }) }]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UpstreamError);
    expect((caught as UpstreamError).message).not.toContain(TEST_KEY);
    expect((caught as UpstreamError).message).toContain('[REDACTED]');
  });
});

describe('Bedrock exception mapping', () => {
  it("consults the declaration first (AccessDenied is the owner's IAM problem, not a bad key)", () => {
    const ex = { name: 'AccessDeniedException', message: "You don't have access to the model", status: 403 };
    expect(bedrockErrorInfo(PROVIDERS.BEDROCK, ex, TEST_AWS).code).toBe('UPSTREAM_ERROR');
    expect(bedrockErrorInfo({ ...PROVIDERS.BEDROCK, mapError: undefined }, ex, TEST_AWS).code).toBe('BYOK_KEY_INVALID');
  });

  it('ignores socket-level errors (no $metadata, no $fault)', () => {
    expect(asBedrockException(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('an exception delivered as a union member becomes a mid-stream error naming it', () => {
    const ex = bedrockStreamException({ modelStreamErrorException: { message: 'stream broke', name: 'x', $fault: 'server', $metadata: {} } as never });
    expect(ex).toEqual({ name: 'ModelStreamErrorException', message: 'stream broke', status: 0 });
    const req = chatRequest(PROVIDERS.BEDROCK, 'http://unused', { credential: { ...TEST_AWS } });
    const err = bedrockMidstreamError(req, ex);
    expect(err.phase).toBe('midstream');
    expect(err.message).toContain('ModelStreamErrorException');
    expect(bedrockMidstreamError(req, new Error('socket hang up')).message).toBe('connection to AWS Bedrock lost mid-stream');
  });
});
