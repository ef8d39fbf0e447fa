/**
 * Bedrock ConverseStream through the AWS SDK (providers.md §1.4): SigV4-signed, the answer is
 * the binary AWS event stream, decoded by the SDK into one union member per event.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import type {
  ConverseStreamOutput,
  TokenUsage as BedrockTokenUsage,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ApiDialect } from '../types';
import type { DialectAdapter, TokenCounts, UpstreamChatRequest, UpstreamEvent, UpstreamStream } from '../types';
import { bedrockConnectError, bedrockMidstreamError, bedrockStreamException } from './bedrock-errors';
import { checkBedrock, converseStreamInput } from './bedrock-request';
import { TurnState } from './turn-state';
import { objectAt, stringAt } from './json';

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
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  return {
    inputTokens: (usage.inputTokens ?? 0) + cacheRead + cacheWrite,
    outputTokens: usage.outputTokens ?? 0,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    ...oneHourWrites(usage),
    reasoningTokens: 0,
  };
}

/** `cacheDetails[{inputTokens, ttl}]`: the writes with a 1-hour TTL, when Bedrock splits them. */
function oneHourWrites(usage: BedrockTokenUsage): { cacheWrite1hTokens?: number } {
  if (!usage.cacheDetails) return {};
  let n = 0;
  for (const d of usage.cacheDetails) if (d.ttl === '1h') n += d.inputTokens ?? 0;
  return { cacheWrite1hTokens: n };
}

/** Maps Bedrock `stopReason` onto the OpenAI-style finish reasons the gateway reports. */
export function bedrockFinishReason(stopReason: string): string {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return stopReason;
  }
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
  check: checkBedrock,
  async open(req: UpstreamChatRequest): Promise<UpstreamStream> {
    const client = clientFor(req);
    // Our own controller too: when the consumer stops early, aborting destroys the socket
    // (the SDK's stream iterator offers no other way to close it).
    const local = new AbortController();
    let stream: AsyncIterable<ConverseStreamOutput> | undefined;
    const connectError = (err: unknown): unknown => (req.signal.aborted ? abortReason(req.signal, err) : bedrockConnectError(req.provider, err, req.credential));
    let command: ConverseStreamCommand;
    try {
      command = new ConverseStreamCommand(converseStreamInput(req));
    } catch (err) {
      throw connectError(err);
    }
    // Built while the caller's gate is pending (UpstreamChatRequest.ready); sent only after it.
    if (req.ready) {
      await req.ready;
      if (req.signal.aborted) throw req.signal.reason;
    }
    try {
      const response = await client.send(command, {
        abortSignal: AbortSignal.any([req.signal, local.signal]),
      });
      stream = response.stream;
    } catch (err) {
      throw connectError(err);
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
  const state = new BedrockStreamState(req);
  try {
    for await (const event of stream ?? []) {
      yield* state.push(event);
      const exception = bedrockStreamException(event);
      if (exception) throw exception;
    }
  } catch (err) {
    if (req.signal.aborted) throw abortReason(req.signal, err);
    throw bedrockMidstreamError(req, err);
  } finally {
    local.abort();
  }
  yield* state.end();
}

/**
 * One ConverseStream response (§2.4): `contentBlockIndex` is shared by every block kind and text
 * or reasoning blocks often have no start, so tool calls get our own index; reasoning blocks are
 * sealed with their signature at their stop; `metadata` may come before `messageStop`, so finish
 * is emitted only at the end.
 */
export class BedrockStreamState {
  private finishReason: string | undefined;
  /** Set when the stop reason is `stop_sequence`: Claude names the sequence in its own response fields. */
  private stopSequence: string | null | undefined;
  private readonly turn: TurnState;
  private readonly reasoning = new Map<number, { text: string; signature: string }>();

  constructor(req: Pick<UpstreamChatRequest, 'provider' | 'upstreamModel'>) {
    this.turn = new TurnState(req);
  }

  push(event: ConverseStreamOutput): UpstreamEvent[] {
    const out: UpstreamEvent[] = [];
    const index = event.contentBlockStart?.contentBlockIndex ?? event.contentBlockDelta?.contentBlockIndex ?? event.contentBlockStop?.contentBlockIndex ?? -1;
    const toolStart = event.contentBlockStart?.start?.toolUse;
    if (toolStart) out.push({ type: 'delta', toolCalls: [this.turn.tools.start(`b${index}`, toolStart.toolUseId ?? `tooluse_${index}`, toolStart.name ?? '')] });
    const delta = event.contentBlockDelta?.delta;
    if (delta?.text) out.push({ type: 'delta', content: delta.text });
    if (delta?.toolUse?.input) {
      const piece = this.turn.tools.args(`b${index}`, delta.toolUse.input);
      if (piece) out.push({ type: 'delta', toolCalls: [piece] });
    }
    const r = delta?.reasoningContent;
    if (r) {
      const block = this.reasoning.get(index) ?? { text: '', signature: '' };
      this.reasoning.set(index, block);
      if (r.text) {
        block.text += r.text;
        out.push({ type: 'delta', reasoning: r.text });
      }
      if (r.signature) block.signature += r.signature;
      if (r.redactedContent) {
        this.reasoning.delete(index);
        this.turn.seal({ type: 'reasoning.encrypted', data: Buffer.from(r.redactedContent).toString('base64'), format: 'anthropic-claude-v1' }, out);
      }
    }
    if (event.contentBlockStop) this.stop(index, out);
    if (event.metadata?.usage) out.push({ type: 'usage', usage: normalizeBedrockUsage(event.metadata.usage) });
    const stop = event.messageStop;
    if (stop?.stopReason) {
      this.finishReason = bedrockFinishReason(stop.stopReason);
      this.stopSequence = stop.stopReason === 'stop_sequence' ? matchedSequence(stop.additionalModelResponseFields) : undefined;
    }
    return out;
  }

  end(): UpstreamEvent[] {
    const out: UpstreamEvent[] = [];
    for (const index of [...this.reasoning.keys()]) this.stop(index, out);
    this.turn.finish(this.finishReason, out, this.stopSequence);
    return out;
  }

  private stop(index: number, out: UpstreamEvent[]): void {
    // A no-argument call streams `input: ""` (§3.2): "{}" at its stop.
    const none = this.turn.tools.close(`b${index}`);
    if (none) out.push({ type: 'delta', toolCalls: [none] });
    const block = this.reasoning.get(index);
    if (!block) return;
    this.reasoning.delete(index);
    // Unsigned reasoning is never replayed (Vercel, §1.4): keep only signed blocks.
    if (block.signature === '') return;
    this.turn.seal({ type: 'reasoning.text', text: block.text, signature: block.signature, format: 'anthropic-claude-v1' }, out);
  }
}

/** Claude on Bedrock: `additionalModelResponseFields.delta.stop_sequence` (providers.md §1.4); null when absent. */
function matchedSequence(fields: unknown): string | null {
  return stringAt(objectAt(fields, 'delta'), 'stop_sequence') ?? null;
}

export { converseStreamInput } from './bedrock-request';
