/**
 * The internal event stream → one non-streaming `chat.completion` object: the same events the
 * stream renders, assembled (content and reasoning concatenated, tool-call fragments joined per
 * index), plus OpenRouter's `provider` (the display name of the provider that served).
 */
import { ChatEventType, type ChatCompletionEventType } from '../../modules/chat/chat-event.type';
import { KeySource } from '../../modules/usage/usage-enums';
import type { ReasoningDetail } from '../../providers/chat-model';
import { getProvider } from '../../providers/registry';
import type { CompletionIdentity } from './openai-stream';
import { openAiUsage, type OpenAiUsage } from './openai-usage';

export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAiCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  provider?: string;
  choices: Array<{
    index: 0;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      tool_calls?: OpenAiToolCall[];
      reasoning?: string;
      reasoning_details?: ReasoningDetail[];
    };
    logprobs: null;
    finish_reason: string;
  }>;
  usage?: OpenAiUsage;
}

export function openAiCompletion(identity: CompletionIdentity, events: readonly ChatCompletionEventType[]): OpenAiCompletion {
  let content = '';
  let reasoning = '';
  let finishReason = 'stop';
  let provider: string | undefined;
  let byok = false;
  let usage: OpenAiUsage | undefined;
  let details: ReasoningDetail[] | undefined;
  const calls: OpenAiToolCall[] = [];
  for (const ev of events) {
    switch (ev.type) {
      case ChatEventType.START:
        if (ev.provider) provider = getProvider(ev.provider).name;
        byok = ev.keySource === KeySource.BYOK;
        break;
      case ChatEventType.DELTA:
        if (ev.content) content += ev.content;
        if (ev.reasoning) reasoning += ev.reasoning;
        for (const c of ev.toolCalls ?? []) {
          const call = (calls[c.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
          if (c.id) call.id = c.id;
          if (c.name) call.function.name = c.name;
          if (c.arguments) call.function.arguments += c.arguments;
        }
        break;
      case ChatEventType.USAGE:
        if (ev.usage) usage = openAiUsage(ev.usage, byok);
        break;
      case ChatEventType.DONE:
        finishReason = ev.finishReason ?? 'stop';
        details = ev.reasoningDetails;
        break;
    }
  }
  const message: OpenAiCompletion['choices'][0]['message'] = { role: 'assistant', content: content === '' && calls.length > 0 ? null : content, refusal: null };
  if (calls.length > 0) message.tool_calls = calls.filter(Boolean);
  if (reasoning !== '') message.reasoning = reasoning;
  if (details && details.length > 0) message.reasoning_details = details;
  const out: OpenAiCompletion = {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
  };
  if (provider) out.provider = provider;
  if (usage) out.usage = usage;
  return out;
}
