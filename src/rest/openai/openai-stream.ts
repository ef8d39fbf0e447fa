/**
 * The internal event stream → OpenAI `chat.completion.chunk` SSE (tools.md §5): a role chunk
 * at START, one chunk per DELTA (content, OpenRouter's `reasoning`, tool-call fragments), the
 * replay `reasoning_details` and the finish chunk at DONE, then the usage chunk (`choices: []`)
 * when asked for, then `data: [DONE]`. A failure after START is OpenRouter's error chunk
 * (`finish_reason: "error"`), and the stream ends without [DONE].
 *
 * Chunks are built as text around a prefix computed once per stream (id, created, model): the
 * per-delta cost is one JSON.stringify of the delta's own strings.
 */
import type { AppError } from '../../errors/app-error';
import { ChatEventType, type ChatCompletionEventType, type ToolCallDeltaType } from '../../modules/chat/chat-event.type';
import { KeySource } from '../../modules/usage/usage-enums';
import { getProvider } from '../../providers/registry';
import type { StreamRendering } from '../completion-runner';
import { openAiErrorBody } from './openai-errors';
import { openAiUsage } from './openai-usage';

export interface CompletionIdentity {
  /** `chatcmpl-<request id>`: the same id in every chunk and in the usage record's request id. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model id the client asked for. */
  model: string;
}

export function completionIdentity(requestId: string, model: string, now = Date.now()): CompletionIdentity {
  return { id: `chatcmpl-${requestId}`, created: Math.floor(now / 1000), model };
}

export class OpenAiStreamRendering implements StreamRendering {
  /** `{"id":…,"object":…,"created":…,"model":…,` shared by every chunk. */
  private readonly head: string;
  /** Closes a choices chunk: `usage: null` on every chunk before the usage chunk, as OpenAI does. */
  private readonly tail: string;
  private provider: string | undefined;
  private byok = false;
  private usage: ChatCompletionEventType['usage'];

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly includeUsage: boolean,
  ) {
    this.head = `{"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${identity.created},"model":${JSON.stringify(identity.model)},`;
    this.tail = includeUsage ? '}],"usage":null}\n\n' : '}]}\n\n';
  }

  event(ev: ChatCompletionEventType): string {
    switch (ev.type) {
      case ChatEventType.START:
        if (ev.provider) this.provider = getProvider(ev.provider).name;
        this.byok = ev.keySource === KeySource.BYOK;
        return this.choice('{"role":"assistant","content":""}', 'null');
      case ChatEventType.DELTA:
        return this.delta(ev);
      case ChatEventType.USAGE:
        // Held until after the finish chunk: OpenAI sends usage last, with `choices: []`.
        this.usage = ev.usage;
        return '';
      case ChatEventType.DONE: {
        let out = '';
        if (ev.reasoningDetails && ev.reasoningDetails.length > 0) {
          out += this.choice(`{"reasoning_details":${JSON.stringify(ev.reasoningDetails)}}`, 'null');
        }
        out += this.choice('{}', JSON.stringify(ev.finishReason ?? 'stop'));
        if (this.includeUsage && this.usage) {
          out += `data: ${this.head}"choices":[],"usage":${JSON.stringify(openAiUsage(this.usage, this.byok))}}\n\n`;
        }
        return out;
      }
    }
  }

  error(err: AppError): string {
    const { error } = openAiErrorBody(err);
    const provider = this.provider === undefined ? '' : `"provider":${JSON.stringify(this.provider)},`;
    return `data: ${this.head}${provider}"error":${JSON.stringify(error)},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}\n\n`;
  }

  end(): string {
    return 'data: [DONE]\n\n';
  }

  private delta(ev: ChatCompletionEventType): string {
    let out = '';
    // One chunk per kind, in the order clients expect: reasoning before content before calls.
    if (ev.reasoning) out += this.choice(`{"reasoning":${JSON.stringify(ev.reasoning)}}`, 'null');
    if (ev.content) out += this.choice(`{"content":${JSON.stringify(ev.content)}}`, 'null');
    if (ev.toolCalls && ev.toolCalls.length > 0) out += this.choice(`{"tool_calls":[${ev.toolCalls.map(toolCallFragment).join(',')}]}`, 'null');
    return out;
  }

  private choice(delta: string, finishReason: string): string {
    return `data: ${this.head}"choices":[{"index":0,"delta":${delta},"finish_reason":${finishReason}${this.tail}`;
  }
}

/**
 * OpenAI's fragment convention: the first piece of a call has id, type and name (Vercel's
 * tracker throws without them), later ones only `function.arguments` (Vercel requires the
 * `function` object on every piece).
 */
export function toolCallFragment(c: ToolCallDeltaType): string {
  if (c.id !== undefined || c.name !== undefined) {
    return `{"index":${c.index},"id":${JSON.stringify(c.id ?? '')},"type":"function","function":{"name":${JSON.stringify(c.name ?? '')},"arguments":${JSON.stringify(c.arguments ?? '')}}}`;
  }
  return `{"index":${c.index},"function":{"arguments":${JSON.stringify(c.arguments ?? '')}}}`;
}
