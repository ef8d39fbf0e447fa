/** Request builders shared by the adapter tests. */
import type { ChatMessage } from '../../../../src/providers/chat-model';
import type { ProviderDeclaration, UpstreamChatRequest } from '../../../../src/providers/types';

/** A text-only message of the internal model. */
export function msg(role: 'system' | 'user' | 'assistant', text: string): ChatMessage {
  const parts = [{ type: 'text' as const, text }];
  return role === 'assistant' ? { role, parts, toolCalls: [], reasoning: [] } : { role, parts };
}

/** A fake key that must never show up in an error message. */
export const TEST_KEY = 'sk-test-9f8e7d6c5b4a3f2e1d0c9b8a';

export const TEST_AWS = {
  kind: 'aws',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'eu-west-3',
} as const;

/** A request for `provider` against `api`, with a fresh AbortController unless one is given. */
export function chatRequest(
  provider: ProviderDeclaration,
  api: string,
  overrides: Partial<UpstreamChatRequest> = {},
): UpstreamChatRequest {
  return {
    provider,
    endpoints: { api },
    credential: { kind: 'api_key', apiKey: TEST_KEY },
    upstreamModel: 'test-model',
    messages: [
      msg('system', 'Be brief.'),
      msg('user', 'Hello'),
    ],
    signal: new AbortController().signal,
    ...overrides,
  };
}
