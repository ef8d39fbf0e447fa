/**
 * Images, structured output and reasoning settings reach each dialect in its own form (tools.md
 * §1, §4.3): the request body for one request per provider family, against a golden file
 * (test/fixtures/golden/features-<name>.json; UPDATE_GOLDEN=1 rewrites, then read the diff).
 */
import { anthropicMessagesBody } from '../../../src/providers/dialects/anthropic-messages-request';
import { converseStreamInput } from '../../../src/providers/dialects/bedrock-request';
import { geminiBody } from '../../../src/providers/dialects/gemini-request';
import { openAiChatBody } from '../../../src/providers/dialects/openai-chat-request';
import { PROVIDERS } from '../../../src/providers/registry';
import type { ChatParams } from '../../../src/providers/chat-model';
import type { ProviderDeclaration } from '../../../src/providers/types';
import { chatParams } from '../../../src/modules/chat/chat-request';
import { ChatRole, ContentPartType, ReasoningEffort, ResponseFormatType } from '../../../src/modules/chat/chat.inputs';
import { compareGolden } from '../../support/golden';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function params(opts: { url?: boolean; effort?: ReasoningEffort; budget?: number; exclude?: boolean }): Omit<ChatParams, 'promptChars'> {
  const { promptChars: _p, ...rest } = chatParams({
    model: 'x/y',
    maxTokens: 1000,
    messages: [
      { role: ChatRole.SYSTEM, content: 'Answer as JSON.' },
      {
        role: ChatRole.USER,
        parts: [
          { type: ContentPartType.TEXT, text: 'Describe these.' },
          { type: ContentPartType.IMAGE, imageUrl: PNG },
          ...(opts.url ? [{ type: ContentPartType.IMAGE, imageUrl: 'https://example.com/cat.jpg' }] : []),
        ],
      },
    ],
    responseFormat: {
      type: ResponseFormatType.JSON_SCHEMA,
      name: 'description',
      strict: true,
      schema: { type: 'object', properties: { colors: { type: 'array', items: { type: 'string' } } }, required: ['colors'], additionalProperties: false },
    },
    reasoning: { effort: opts.effort ?? null, maxTokens: opts.budget ?? null, exclude: opts.exclude ?? null },
  });
  return rest;
}

/** The SDK sends bytes as base64 in Converse's JSON: show them so in the golden file. */
function bytesAsBase64(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, value: unknown) => {
      const b = value as { type?: unknown; data?: unknown };
      return b && b.type === 'Buffer' && Array.isArray(b.data) ? Buffer.from(b.data as number[]).toString('base64') : value;
    }),
  );
}

const req = (provider: ProviderDeclaration, upstreamModel: string, p: Omit<ChatParams, 'promptChars'>) => ({ provider, upstreamModel, ...p });

describe('images, structured output and reasoning in each dialect', () => {
  it.each([
    ['openai', () => openAiChatBody(req(PROVIDERS.OPENAI, 'gpt-5.4', params({ url: true, effort: ReasoningEffort.HIGH })))],
    ['xai-minimal-effort', () => openAiChatBody(req(PROVIDERS.XAI, 'grok-4.3', params({ effort: ReasoningEffort.MINIMAL })))],
    ['zai-thinking-off', () => openAiChatBody(req(PROVIDERS.ZAI, 'glm-4.7', params({ effort: ReasoningEffort.NONE })))],
    ['moonshot-budget', () => openAiChatBody(req(PROVIDERS.MOONSHOTAI, 'kimi-k2.6', params({ budget: 4096 })))],
    ['inception-minimal', () => openAiChatBody(req(PROVIDERS.INCEPTION, 'mercury-2', params({ effort: ReasoningEffort.MINIMAL })))],
    ['anthropic', () => anthropicMessagesBody(req(PROVIDERS.ANTHROPIC, 'claude-sonnet-4-6', params({ url: true, budget: 3000, exclude: true })))],
    ['gemini-3', () => geminiBody(req(PROVIDERS.GOOGLE, 'gemini-3-flash-preview', params({ effort: ReasoningEffort.MEDIUM, exclude: true })))],
    ['gemini-2.5', () => geminiBody(req(PROVIDERS.GOOGLE, 'gemini-2.5-flash', params({ effort: ReasoningEffort.NONE })))],
    ['bedrock-claude', () => bytesAsBase64(converseStreamInput(req(PROVIDERS.BEDROCK, 'us.anthropic.claude-sonnet-4-6', params({ effort: ReasoningEffort.HIGH }))))],
  ])('%s', (name, body) => {
    compareGolden(`features-${name}`, body());
  });
});

describe('max_tokens with a thinking budget', () => {
  const body = (maxTokens: number | undefined, budget: number) =>
    anthropicMessagesBody({ provider: PROVIDERS.ANTHROPIC, upstreamModel: 'claude-sonnet-4-6', messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }], ...(maxTokens ? { maxTokens } : {}), reasoning: { maxTokens: budget } });
  it('a cap above the budget already counts thinking (Claude Code: 32000 with 31999)', () => {
    expect(body(32000, 31999)).toMatchObject({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 31999 } });
  });
  it('a cap at or under the budget, or none, leaves room for the answer after it', () => {
    expect(body(1000, 2048).max_tokens).toBe(3048);
    expect(body(undefined, 2048).max_tokens).toBe(4096 + 2048);
  });
});
