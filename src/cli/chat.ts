import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const CHAT = `subscription($input: ChatCompletionInput!) {
  chatCompletion(input: $input) {
    type provider keySource keyHint upstreamModel content reasoning finishReason
    usage { inputTokens outputTokens cachedInputTokens reasoningTokens costMicroUsd costKnown estimated }
  }
}`;

interface Event {
  type: string;
  provider?: string;
  keySource?: string;
  keyHint?: string | null;
  upstreamModel?: string;
  content?: string | null;
  reasoning?: string | null;
  finishReason?: string | null;
  usage?: Record<string, unknown> | null;
}

/**
 * Streams one completion from a running gateway over graphql-ws and writes it to the terminal:
 * which key serves it on stderr, the answer on stdout, usage at the end.
 */
export async function chatCommand(opts: { url: string; token: string; model: string; prompt: string; organizationId?: string }): Promise<void> {
  const client = createClient({
    url: opts.url.replace(/^http/, 'ws').replace(/\/$/, '') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${opts.token}` },
    retryAttempts: 0,
  });
  const input = {
    model: opts.model,
    messages: [{ role: 'USER', content: opts.prompt }],
    ...(opts.organizationId ? { organizationId: opts.organizationId } : {}),
  };
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ chatCompletion: Event }>(
        { query: CHAT, variables: { input } },
        {
          next: (r) => {
            if (r.errors?.length) {
              const e = r.errors[0]!;
              reject(new Error(`${(e.extensions as { code?: string } | undefined)?.code ?? 'ERROR'}: ${e.message}`));
              return;
            }
            const ev = r.data!.chatCompletion;
            if (ev.type === 'START') process.stderr.write(`[${ev.provider} via ${ev.keySource} key ${ev.keyHint ?? ''} → ${ev.upstreamModel}]\n`);
            else if (ev.type === 'DELTA') process.stdout.write(ev.content ?? '');
            else if (ev.type === 'USAGE') process.stderr.write(`\n[usage ${JSON.stringify(ev.usage)}]\n`);
            else if (ev.type === 'DONE') process.stderr.write(`[done: ${ev.finishReason}]\n`);
          },
          error: (err) => reject(err instanceof Error ? err : new Error(describeClose(err))),
          complete: resolve,
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

function describeClose(err: unknown): string {
  const e = err as { code?: number; reason?: string };
  return e.code ? `connection closed (${e.code}) ${e.reason ?? ''}` : String(err);
}
