/**
 * Bedrock ConverseStream through the AWS SDK (providers.md §1.4): SigV4-signed, the answer is
 * the binary AWS event stream, decoded by the SDK into one union member per event.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import type {
  ConverseStreamCommandInput,
  ConverseStreamOutput,
  TokenUsage as BedrockTokenUsage,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ApiDialect } from '../types';
import type { DialectAdapter, TokenCounts, UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { bedrockConnectError, bedrockMidstreamError, bedrockStreamException } from './bedrock-errors';

let sharedHandler: NodeHttpHandler | undefined;

/**
 * One HTTP/1 handler (keep-alive agents) shared by every per-request client: the SDK's HTTP/2
 * default cannot talk to a plain local mock and ConverseStream is one-way, so HTTP/1 loses
 * nothing. Clients are never `destroy()`ed, since that would destroy the shared agents.
 */
function requestHandler(): NodeHttpHandler {
  sharedHandler ??= new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true }),
    httpsAgent: new HttpsAgent({ keepAlive: true }),
    connectionTimeout: 10_000,
  });
  return sharedHandler;
}

/** §1.5: `inputTokens` excludes cache reads and writes; Converse reports no reasoning count. */
export function normalizeBedrockUsage(usage: BedrockTokenUsage): TokenCounts {
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  return {
    inputTokens: (usage.inputTokens ?? 0) + cacheRead + (usage.cacheWriteInputTokens ?? 0),
    outputTokens: usage.outputTokens ?? 0,
    cachedInputTokens: cacheRead,
    reasoningTokens: 0,
  };
}

/** Maps Bedrock `stopReason` onto the OpenAI-style finish reasons the gateway reports. */
export function bedrockFinishReason(stopReason: string): string {
  switch (stopReason) {
    case 'end_turn':
      return 'stop';
    case 'max_tokens':
      return 'length';
    default:
      return stopReason;
  }
}

/** The ConverseStream input, exported for tests. */
export function converseStreamInput(req: UpstreamChatRequest): ConverseStreamCommandInput {
  const system = req.messages.filter((m) => m.role === 'system').map((m) => ({ text: m.content }));
  const input: ConverseStreamCommandInput = {
    modelId: req.upstreamModel,
    messages: req.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: [{ text: m.content }] })),
  };
  if (system.length > 0) input.system = system;
  const config: NonNullable<ConverseStreamCommandInput['inferenceConfig']> = {};
  if (req.maxTokens !== undefined) config.maxTokens = req.maxTokens;
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.topP !== undefined) config.topP = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) config.stopSequences = req.stop;
  if (Object.keys(config).length > 0) input.inferenceConfig = config;
  return input;
}

/**
 * A client for one request: the secret lives only as long as this call. The endpoint comes from
 * the registry or operator configuration, `{region}` filled from the credential.
 */
function clientFor(req: UpstreamChatRequest): BedrockRuntimeClient {
  const { credential } = req;
  if (credential.kind !== 'aws') throw new TypeError(`${req.provider.name} expects AWS credentials`);
  return new BedrockRuntimeClient({
    region: credential.region,
    endpoint: req.endpoints.api.split('{region}').join(credential.region),
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}),
    },
    // SigV4 only: an ambient AWS_BEARER_TOKEN_BEDROCK must never replace the user's key.
    authSchemePreference: ['sigv4'],
    // Routing moves on to the owner's next key itself (ARCHITECTURE.md "Routing" step 6).
    maxAttempts: 1,
    requestHandler: requestHandler(),
  });
}

/** The Bedrock ConverseStream adapter. */
export const bedrockConverseAdapter: DialectAdapter = {
  dialect: ApiDialect.BEDROCK_CONVERSE,
  async open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const client = clientFor(req);
    // Our own controller too: when the consumer stops early, aborting destroys the socket
    // (the SDK's stream iterator offers no other way to close it).
    const local = new AbortController();
    let stream: AsyncIterable<ConverseStreamOutput> | undefined;
    try {
      const response = await client.send(new ConverseStreamCommand(converseStreamInput(req)), {
        abortSignal: AbortSignal.any([req.signal, local.signal]),
      });
      stream = response.stream;
    } catch (err) {
      if (req.signal.aborted) throw abortReason(req.signal, err);
      throw bedrockConnectError(req.provider, err);
    }
    return { events: bedrockEvents(stream, req, local) };
  },
};

/**
 * What an aborted call rejects with: the signal's reason, as `fetch` does in the SSE dialects
 * (the SDK may instead surface a bare socket error once the request is destroyed mid-stream).
 */
function abortReason(signal: AbortSignal, err: unknown): unknown {
  // Not `instanceof Error`: the DOMException may come from another realm (vm contexts, workers).
  return signal.reason !== undefined ? signal.reason : err;
}

async function* bedrockEvents(
  stream: AsyncIterable<ConverseStreamOutput> | undefined,
  req: UpstreamChatRequest,
  local: AbortController,
): AsyncGenerator<UpstreamEvent> {
  let finishReason: string | undefined;
  try {
    for await (const event of stream ?? []) {
      const delta = event.contentBlockDelta?.delta;
      if (delta?.text) yield { type: 'delta', content: delta.text };
      const reasoning = delta?.reasoningContent?.text;
      if (reasoning) yield { type: 'delta', reasoning };
      // §1.4: `metadata` may come before `messageStop`, so usage and finish are independent
      // and finish is emitted only at the end of the stream.
      if (event.metadata?.usage) yield { type: 'usage', usage: normalizeBedrockUsage(event.metadata.usage) };
      if (event.messageStop?.stopReason) finishReason = bedrockFinishReason(event.messageStop.stopReason);
      const exception = bedrockStreamException(event);
      if (exception) throw exception;
    }
  } catch (err) {
    if (req.signal.aborted) throw abortReason(req.signal, err);
    throw bedrockMidstreamError(req, err);
  } finally {
    local.abort();
  }
  if (finishReason !== undefined) yield { type: 'finish', reason: finishReason };
}
