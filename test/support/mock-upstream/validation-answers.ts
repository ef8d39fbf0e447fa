/** Realistic small 200 bodies for each provider's key check and public catalogs. */
import { ProviderId } from '../../../src/providers/types';
import { type MockAnswer, jsonAnswer, randomId } from './answer';
import { stsCallerIdentityAnswer } from './sts';

/** A few model ids per provider (providers.md "Model IDs"). */
const MODEL_IDS: Record<ProviderId, readonly string[]> = {
  [ProviderId.ANTHROPIC]: ['claude-sonnet-4-6', 'claude-haiku-4-5-20251001'],
  [ProviderId.BEDROCK]: ['us.anthropic.claude-haiku-4-5-20251001-v1:0'],
  [ProviderId.FIREWORKS]: ['accounts/fireworks/models/kimi-k2p6', 'accounts/fireworks/models/glm-5p1'],
  [ProviderId.GOOGLE]: ['gemini-2.5-flash', 'gemini-2.5-flash-lite'],
  [ProviderId.INCEPTION]: ['mercury-2'],
  [ProviderId.MINIMAX]: ['MiniMax-M3', 'MiniMax-M2.7'],
  [ProviderId.MISTRAL]: ['mistral-small-latest', 'mistral-large-latest'],
  [ProviderId.MOONSHOTAI]: ['kimi-k2.6', 'kimi-k2.5'],
  [ProviderId.NOVITA]: ['moonshotai/kimi-k2.5', 'zai-org/glm-5.1'],
  [ProviderId.OPENAI]: ['gpt-5.4-mini', 'gpt-5.4-nano'],
  [ProviderId.XAI]: ['grok-4.3'],
  [ProviderId.ZAI]: ['glm-4.7', 'glm-4.7-flash'],
  [ProviderId.BYTEPLUS_CODING]: ['bytedance-seed-code', 'glm-4.7'],
  [ProviderId.CHUTES]: ['zai-org/GLM-5.1-TEE', 'moonshotai/Kimi-K2.6-TEE'],
  [ProviderId.KIMI_CODING]: ['kimi-for-coding'],
  [ProviderId.CODESTRAL]: ['codestral-latest', 'codestral-2508'],
  [ProviderId.NEURALWATT]: ['glm-5.2', 'moonshotai/Kimi-K2.6'],
  [ProviderId.ZAI_CODING]: ['glm-4.7', 'glm-5.1'],
};

const CREATED = 1767225600; // 2026-01-01T00:00:00Z

function openAiModelList(provider: ProviderId, ownedBy: string): MockAnswer {
  return jsonAnswer(200, {
    object: 'list',
    data: MODEL_IDS[provider].map((id) => ({ id, object: 'model', created: CREATED, owned_by: ownedBy })),
  });
}

/** The 200 answer of a provider's validation route (or another route that also validates). */
export function validationGoodAnswer(provider: ProviderId, rest: string, key: string, model = ''): MockAnswer {
  if (rest === '/fim/completions') return fimAnswer(model);
  switch (provider) {
    case ProviderId.BEDROCK:
      return stsCallerIdentityAnswer(key);
    case ProviderId.ANTHROPIC:
    case ProviderId.MINIMAX: {
      const data = MODEL_IDS[provider].map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: '2026-01-01T00:00:00Z',
      }));
      return jsonAnswer(200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    case ProviderId.GOOGLE:
      return jsonAnswer(200, {
        models: MODEL_IDS[provider].map((id) => ({
          name: `models/${id}`,
          version: '001',
          displayName: id,
          inputTokenLimit: 1048576,
          outputTokenLimit: 65536,
          supportedGenerationMethods: ['generateContent', 'countTokens', 'streamGenerateContent'],
        })),
      });
    case ProviderId.XAI:
      return rest === '/api-key'
        ? jsonAnswer(200, {
            redacted_api_key: `${key.slice(0, 4)}****${key.slice(-4)}`,
            user_id: `user-${randomId(8)}`,
            name: 'mock key',
            create_time: '2026-01-01T00:00:00Z',
            modify_time: '2026-01-01T00:00:00Z',
            modified_by: `user-${randomId(8)}`,
            team_id: `team-${randomId(8)}`,
            acls: ['api-key:model:*', 'api-key:endpoint:*'],
            api_key_id: randomId(8),
            team_blocked: false,
            api_key_blocked: false,
            api_key_disabled: false,
          })
        : openAiModelList(provider, 'xai');
    case ProviderId.CHUTES:
      return jsonAnswer(200, {
        user_id: randomId(8),
        username: 'mock-user',
        balance: 12.5,
        created_at: '2026-01-01T00:00:00Z',
        permissions_bitmask: 0,
      });
    case ProviderId.NEURALWATT:
      return jsonAnswer(200, {
        subscription: { plan: 'standard', status: 'active' },
        key: { allowance: null, name: 'mock key' },
        balance: { credits_remaining: 10.0, currency: 'USD' },
      });
    default:
      return openAiModelList(provider, provider.toLowerCase());
  }
}

/** Public catalogs answered without a key (Chutes and Neuralwatt `/models`): they prove nothing. */
export function publicCatalogAnswer(provider: ProviderId): MockAnswer {
  return openAiModelList(provider, provider.toLowerCase());
}

/** Non-streaming Mistral FIM completion, cut at one token. */
function fimAnswer(model: string): MockAnswer {
  return jsonAnswer(200, {
    id: randomId(16),
    object: 'chat.completion',
    model: model || 'codestral-latest',
    created: CREATED,
    choices: [{ index: 0, message: { role: 'assistant', content: ' f', tool_calls: null, prefix: false }, finish_reason: 'length' }],
    usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
  });
}
