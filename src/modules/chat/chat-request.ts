import { badInput } from '../../errors/app-error';
import type { ChatMessage } from '../../providers/types';
import { ChatRole, type ChatCompletionInput } from './chat.inputs';

const MAX_MESSAGES = 1000;
const MAX_TOTAL_CHARS = 2_000_000;
const MAX_STOP = 4;
const MAX_OUTPUT_TOKENS = 1_000_000;

export interface ChatParams {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Characters of prompt text, for estimating input tokens when the provider reports none. */
  promptChars: number;
}

const ROLE: Record<ChatRole, ChatMessage['role']> = {
  [ChatRole.SYSTEM]: 'system',
  [ChatRole.USER]: 'user',
  [ChatRole.ASSISTANT]: 'assistant',
};

/** Validates a completion request before anything is routed or sent; BAD_USER_INPUT otherwise. */
export function chatParams(input: ChatCompletionInput): ChatParams {
  if (input.model.trim() === '' || input.model.length > 300) throw badInput('model must be 1-300 characters', 'model');
  if (input.messages.length === 0) throw badInput('messages must not be empty', 'messages');
  if (input.messages.length > MAX_MESSAGES) throw badInput(`at most ${MAX_MESSAGES} messages`, 'messages');
  let promptChars = 0;
  for (const m of input.messages) promptChars += m.content.length;
  if (promptChars > MAX_TOTAL_CHARS) throw badInput(`messages may hold at most ${MAX_TOTAL_CHARS} characters`, 'messages');
  if (!input.messages.some((m) => m.role !== ChatRole.SYSTEM)) {
    throw badInput('messages need at least one USER or ASSISTANT message', 'messages');
  }
  const p: ChatParams = { messages: input.messages.map((m) => ({ role: ROLE[m.role], content: m.content })), promptChars };
  if (input.maxTokens !== undefined && input.maxTokens !== null) {
    if (input.maxTokens < 1 || input.maxTokens > MAX_OUTPUT_TOKENS) throw badInput(`maxTokens must be 1-${MAX_OUTPUT_TOKENS}`, 'maxTokens');
    p.maxTokens = input.maxTokens;
  }
  if (input.temperature !== undefined && input.temperature !== null) {
    if (!(input.temperature >= 0 && input.temperature <= 2)) throw badInput('temperature must be between 0 and 2', 'temperature');
    p.temperature = input.temperature;
  }
  if (input.topP !== undefined && input.topP !== null) {
    if (!(input.topP > 0 && input.topP <= 1)) throw badInput('topP must be greater than 0 and at most 1', 'topP');
    p.topP = input.topP;
  }
  if (input.stop !== undefined && input.stop !== null) {
    if (input.stop.length > MAX_STOP || input.stop.some((s) => s.length === 0 || s.length > 200)) {
      throw badInput(`stop takes at most ${MAX_STOP} non-empty strings of at most 200 characters`, 'stop');
    }
    p.stop = input.stop;
  }
  return p;
}
