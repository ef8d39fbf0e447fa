import type { TestApp } from './app';
import { collect, wsClient } from './gql-client';

export const CHAT = `subscription($input: ChatCompletionInput!) {
  chatCompletion(input: $input) {
    type requestId provider keySource keyId keyHint upstreamModel content reasoning finishReason reasoningDetails
    toolCalls { index id name arguments }
    usage { inputTokens outputTokens cachedInputTokens cacheWriteTokens reasoningTokens costMicroUsd costKnown estimated }
  }
}`;

export interface ChatEvent {
  type: 'START' | 'DELTA' | 'USAGE' | 'DONE';
  requestId: string;
  provider?: string;
  keySource?: string;
  keyId?: string | null;
  keyHint?: string | null;
  upstreamModel?: string;
  content?: string | null;
  reasoning?: string | null;
  finishReason?: string | null;
  reasoningDetails?: unknown;
  toolCalls?: { index: number; id: string | null; name: string | null; arguments: string | null }[] | null;
  usage?: {
    inputTokens: number;
    outputTokens: number;
    cachedInputTokens: number;
    cacheWriteTokens: number;
    reasoningTokens: number;
    costMicroUsd: number;
    costKnown: boolean;
    estimated: boolean;
  } | null;
}

export interface ChatError {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
}

/** Runs one chatCompletion over a real graphql-ws connection until it completes. */
export async function chatEvents(
  t: TestApp,
  token: string,
  input: Record<string, unknown>,
): Promise<{ events: ChatEvent[]; errors: ChatError[] }> {
  const client = wsClient(t.url, token);
  try {
    const sub = collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input });
    const { results, error } = await sub.done;
    if (error) throw new Error(`subscription failed: ${JSON.stringify(error)}`);
    const events: ChatEvent[] = [];
    const errors: ChatError[] = [];
    for (const r of results) {
      if (r.data?.chatCompletion) events.push(r.data.chatCompletion);
      for (const e of r.errors ?? []) errors.push(e as ChatError);
    }
    t.gql.transcript.push(JSON.stringify(results));
    return { events, errors };
  } finally {
    await client.dispose();
  }
}
