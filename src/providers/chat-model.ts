/**
 * The one internal chat request and event model (tools.md §4). Every front door (the GraphQL
 * subscription, the OpenAI and Anthropic REST doors) is validated into `ChatParams`
 * (modules/chat/chat-request.ts) and every dialect adapter translates these types to and from
 * its wire format. A leaf: no database, Redis, GraphQL or env access.
 */

/** A JSON object, as parsed. */
export type JsonObject = { [key: string]: unknown };

/** A prompt-cache breakpoint (Anthropic `cache_control`, Bedrock `cachePoint`). */
export interface CacheMark {
  ttl?: '5m' | '1h';
}

/** An image: a URL the provider fetches, or inline bytes (base64). */
export type ImageSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: ImageMediaType; data: string };
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

export type TextPart = { type: 'text'; text: string; cache?: CacheMark };
export type ImagePart = { type: 'image'; image: ImageSource; cache?: CacheMark };
export type ContentPart = TextPart | ImagePart;

/** A call an assistant made; `arguments` is JSON text (`"{}"` for none). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Opaque reasoning the provider needs back on the next turn (tools.md §4.2), modelled on
 * OpenRouter's `reasoning_details`: everything replay needs lives in standard fields; `gw` is a
 * hint (provider, model, field) a client may drop.
 */
export type ReasoningDetail =
  | { type: 'reasoning.text'; text: string; signature?: string; format: ReasoningFormat; index: number; id?: string; gw?: ReasoningHint }
  | { type: 'reasoning.encrypted'; data: string; format: ReasoningFormat; index: number; id?: string; gw?: ReasoningHint };
export type ReasoningFormat = 'anthropic-claude-v1' | 'google-gemini-v1' | 'unknown';
export interface ReasoningHint {
  v: 1;
  provider?: string;
  model?: string;
  /** For `unknown` entries: the OpenAI-compatible field it came from (`reasoning_content`). */
  field?: string;
}

export type ChatMessage =
  | { role: 'system'; parts: TextPart[] }
  | { role: 'user'; parts: ContentPart[] }
  | { role: 'assistant'; parts: TextPart[]; toolCalls: ToolCall[]; reasoning: ReasoningDetail[] }
  | { role: 'tool'; toolCallId: string; toolName: string; parts: ContentPart[]; isError: boolean; cache?: CacheMark };

export interface ToolDef {
  name: string;
  description?: string;
  /** An object JSON Schema (`{type:"object"}` when the client sent none). */
  parameters: JsonObject;
  strict?: boolean;
  cache?: CacheMark;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonObject; strict?: boolean };

export type ReasoningEffortLevel = 'none' | 'minimal' | 'low' | 'medium' | 'high';
export interface ReasoningSettings {
  effort?: ReasoningEffortLevel;
  /** A thinking budget in tokens. */
  maxTokens?: number;
  /** Think, but do not stream the text back (replay details are still collected). */
  exclude?: boolean;
}

/** Everything about a completion that is not routing: what the dialects translate. */
export interface ChatParams {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  /** Sample from the K likeliest tokens (Anthropic `top_k`, Gemini `topK`); dialects without it ignore it. */
  topK?: number;
  stop?: string[];
  tools?: ToolDef[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningSettings;
  /** A top-level cache breakpoint the client placed (Anthropic front door). */
  cache?: CacheMark;
  /** `anthropic-beta` values the client sent (Anthropic front door). */
  anthropicBeta?: string[];
  /** The `anthropic-version` header the client sent (Anthropic front door). */
  anthropicVersion?: string;
  /**
   * The client's own `thinking` object and `output_config.effort` (Anthropic front door): sent
   * as they are to a Claude target, which knows every type (`enabled`, `adaptive`, `disabled`,
   * and ones to come); `reasoning` carries the same intent for every other provider.
   */
  anthropicThinking?: JsonObject;
  anthropicEffort?: string;
  /** Characters of prompt text, for estimating input tokens when the provider reports none. */
  promptChars: number;
}

/**
 * One streamed piece of a tool call, OpenAI's convention: the first piece of call `index` has
 * `id` and `name`, later pieces only `arguments` text. Indexes are dense from 0 per response.
 */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}
