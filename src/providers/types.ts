import type { ChatParams, ReasoningDetail, ToolCallDelta } from './chat-model';

/**
 * Shared vocabulary of the provider layer. This folder is a leaf: no database, Redis,
 * GraphQL or process.env access. Base URLs arrive resolved (registry default or operator
 * override) from the caller.
 */

/** Every provider a user can bring a key for. Values equal the GraphQL enum's. */
export enum ProviderId {
  ANTHROPIC = 'ANTHROPIC',
  BEDROCK = 'BEDROCK',
  FIREWORKS = 'FIREWORKS',
  GOOGLE = 'GOOGLE',
  INCEPTION = 'INCEPTION',
  MINIMAX = 'MINIMAX',
  MISTRAL = 'MISTRAL',
  MOONSHOTAI = 'MOONSHOTAI',
  NOVITA = 'NOVITA',
  OPENAI = 'OPENAI',
  XAI = 'XAI',
  ZAI = 'ZAI',
  BYTEPLUS_CODING = 'BYTEPLUS_CODING',
  CHUTES = 'CHUTES',
  KIMI_CODING = 'KIMI_CODING',
  CODESTRAL = 'CODESTRAL',
  NEURALWATT = 'NEURALWATT',
  ZAI_CODING = 'ZAI_CODING',
}

export const PROVIDER_IDS: readonly ProviderId[] = Object.values(ProviderId);

export enum ProviderKind {
  STANDARD = 'STANDARD',
  SUBSCRIPTION = 'SUBSCRIPTION',
}

export enum ApiDialect {
  OPENAI_CHAT = 'OPENAI_CHAT',
  ANTHROPIC_MESSAGES = 'ANTHROPIC_MESSAGES',
  GEMINI = 'GEMINI',
  BEDROCK_CONVERSE = 'BEDROCK_CONVERSE',
}

export enum CredentialFormat {
  API_KEY = 'API_KEY',
  AWS_CREDENTIALS = 'AWS_CREDENTIALS',
}

/** A decrypted credential, alive only for the duration of one upstream call. */
export type Credential =
  | { kind: 'api_key'; apiKey: string }
  | {
      kind: 'aws';
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
      region: string;
    };

/** How the credential is presented on the wire. */
export type AuthStyle =
  | { type: 'bearer' }
  /** e.g. Anthropic `x-api-key`, Gemini `x-goog-api-key`. */
  | { type: 'header'; name: string }
  /** AWS SigV4 through the AWS SDK. */
  | { type: 'sigv4' };

/** Where a provider's calls go: resolved per deployment (default or PROVIDER_BASE_URL_<ID>). */
export interface ProviderEndpoints {
  /** Base of the inference API, e.g. https://api.openai.com/v1 */
  api: string;
  /**
   * Base of the account/identity API when validation uses another host
   * (Chutes `https://api.chutes.ai`, Bedrock STS). Override: PROVIDER_ACCOUNT_URL_<ID>.
   */
  account?: string;
}

/** What a validation attempt concluded from one upstream answer. */
export type ValidationVerdict =
  /** The provider accepted the key (or a quirk that still proves it, see the provider's doc). */
  | { outcome: 'VALID'; note?: string }
  /** The provider's own bad-key answer: never retried. */
  | { outcome: 'INVALID'; error: string }
  /** Network, timeout, 5xx, 429, anything that does not prove either way: retried with backoff. */
  | { outcome: 'RETRY'; error: string };

/** The cheapest authenticated HTTP request a provider offers to prove a key. */
export interface HttpValidationSpec {
  method: 'GET' | 'POST';
  /** Which base the path is relative to. */
  base: 'api' | 'account';
  /** Appended to the base URL, e.g. `/models`. */
  path: string;
  /** JSON body for POST checks. */
  body?: unknown;
  /**
   * Turns the upstream answer into a verdict. Status is the HTTP status; body is the
   * raw response text (truncated). Must never echo the key.
   */
  classify(status: number, body: string): ValidationVerdict;
}

/** How an OpenAI-compatible provider takes reasoning settings (tools.md §1.1 table, §4.3). */
export interface OpenAiReasoningStyle {
  /** `reasoning_effort`, with the values it accepts (others map to the nearest). */
  effort?: readonly string[];
  /** `thinking: {type: "enabled" | "disabled"}` (Z.ai, Moonshot, MiniMax, BytePlus). */
  thinking?: boolean;
  /** Where a token budget goes: `thinking.budget_tokens` or Neuralwatt's `thinking_token_budget`. */
  budget?: 'thinking.budget_tokens' | 'thinking_token_budget';
  /** Send earlier turns' `reasoning_content` back on assistant messages (Kimi, Z.ai interleaved). */
  replay?: boolean;
}

/** Request-shaping quirks of OpenAI-compatible providers. */
export interface OpenAiChatOptions {
  /** Path appended to the api base, default `/chat/completions`. */
  path?: string;
  /** Send `stream_options: {include_usage: true}` (default true). */
  includeUsage?: boolean;
  /** Which field carries the output cap (OpenAI reasoning models need max_completion_tokens). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Extra fields merged into every request body (thinking flags and the like). */
  extraBody?: Record<string, unknown>;
  /** xAI: `completion_tokens` excludes reasoning tokens (providers.md §1.5). */
  completionExcludesReasoning?: boolean;
  /** Reasoning controls; none: reasoning settings are not sent (the model decides). */
  reasoning?: OpenAiReasoningStyle;
  /** Tool quirks (tools.md §1.1 table). */
  tools?: {
    /** Mistral: call ids are exactly 9 alphanumerics; `tool_choice` "any" for required/named; tool messages carry `name`. */
    mistral?: boolean;
    /** Z.ai: only `tool_choice: "auto"`; `tool_stream: true` streams arguments. */
    autoOnly?: boolean;
    toolStream?: boolean;
  };
}

/**
 * One provider, declared in one small file under `registry/`. Adding a provider touches its
 * declaration, the catalog and a fixture; the registry's `satisfies Record<ProviderId, …>`
 * makes a missing entry a compile error.
 */
export interface ProviderDeclaration {
  id: ProviderId;
  /** Lower-case slug used in model ids: `zai-coding/glm-4.7`. */
  slug: string;
  name: string;
  kind: ProviderKind;
  dialect: ApiDialect;
  credentialFormat: CredentialFormat;
  /** Defaults; the deployment may override each (see ProviderEndpoints). */
  defaultEndpoints: ProviderEndpoints;
  auth: AuthStyle;
  /** Headers every request to this provider carries (e.g. `anthropic-version`). */
  staticHeaders?: Record<string, string>;
  /** Bedrock validates with STS GetCallerIdentity instead of an HTTP spec. */
  validation: HttpValidationSpec | { type: 'sts' };
  openAi?: OpenAiChatOptions;
  /**
   * Maps an upstream error answer (status + raw body) before the first byte to a
   * gateway error. Providers override only their quirks; the default handles the rest.
   */
  mapError?(status: number, body: string): UpstreamErrorInfo | undefined;
  /** Free-form notes for humans, with doc links (providers.md section). */
  notes?: string;
}

/** Gateway error codes an upstream failure can surface as. */
export type UpstreamErrorCode =
  | 'BYOK_KEY_INVALID'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_INSUFFICIENT_FUNDS';

export interface UpstreamErrorInfo {
  code: UpstreamErrorCode;
  /** Short human message, safe to show (never contains the key). */
  message: string;
  /** Whether routing may move on to the owner's next candidate key (connection, 5xx, 429). */
  retryable: boolean;
}

/** Token counts in the gateway's normalized meaning (contract's TokenUsage). */
export interface TokenCounts {
  /** Including cached input (reads and writes). */
  inputTokens: number;
  /** Including reasoning. */
  outputTokens: number;
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteTokens: number;
  /**
   * Of `cacheWriteTokens`, those written with a 1-hour TTL, which Anthropic (and Bedrock for
   * Claude) bill at 2x input instead of the 5-minute 1.25x; absent when the provider does not say.
   */
  cacheWrite1hTokens?: number;
  reasoningTokens: number;
}

/** One normalized event from any of the four dialects (tools.md §4.1). */
export type UpstreamEvent =
  /**
   * `sealed`: a reasoning detail complete with its signature (an Anthropic thinking block's end),
   * for front doors that stream signatures; every sealed detail is in `finish` too.
   */
  | { type: 'delta'; content?: string; reasoning?: string; toolCalls?: ToolCallDelta[]; sealed?: ReasoningDetail }
  /** Latest-wins: the consumer keeps the last usage it sees. */
  | { type: 'usage'; usage: TokenCounts }
  /**
   * Always last; `reasoningDetails` are what the client passes back on the next turn.
   * `stopSequence`: present when the provider said the turn ended at one of the request's stop
   * sequences (the reason is then "stop"): the sequence when it said which, else null.
   */
  | { type: 'finish'; reason: string; reasoningDetails?: ReasoningDetail[]; stopSequence?: string | null };

/** What the router hands a dialect adapter for one upstream call. */
export interface UpstreamChatRequest extends Omit<ChatParams, 'promptChars'> {
  provider: ProviderDeclaration;
  endpoints: ProviderEndpoints;
  credential: Credential;
  upstreamModel: string;
  /** Operator-set extra headers (PROVIDER_HEADERS_<ID>). */
  extraHeaders?: Record<string, string>;
  /** Aborts the upstream request (client unsubscribed, timeout). */
  signal: AbortSignal;
  /**
   * Nothing is sent before it resolves; the request is built meanwhile, so the caller's own
   * wait (a Redis round trip for the stream limits) overlaps the body's serialization. A
   * rejection is thrown as is, with nothing sent.
   */
  ready?: Promise<void>;
}

/** An open upstream stream: the status was 2xx. Iterating yields normalized events. */
export interface UpstreamStream {
  events: AsyncIterable<UpstreamEvent>;
}

/**
 * Thrown by `open()` when the upstream answers non-2xx before any byte of the stream,
 * and by the event iterator for a mid-stream error event.
 */
export class UpstreamError extends Error {
  constructor(
    readonly info: UpstreamErrorInfo,
    /** HTTP status when there was one (0 for connection errors and mid-stream errors). */
    readonly status: number,
    readonly phase: 'connect' | 'midstream',
  ) {
    super(info.message);
    this.name = 'UpstreamError';
  }
}

/**
 * A feature the request uses that the serving provider cannot do (tools.md); reported as
 * BAD_USER_INPUT naming both, before anything is sent.
 */
export class UnsupportedFeatureError extends Error {
  constructor(
    readonly providerName: string,
    readonly feature: string,
  ) {
    super(`${providerName} does not support ${feature}`);
    this.name = 'UnsupportedFeatureError';
  }
}

/** One wire format: opens a streaming chat call and normalizes what comes back. */
export interface DialectAdapter {
  dialect: ApiDialect;
  /** Throws UnsupportedFeatureError when `req` uses what the provider cannot do; sends nothing. */
  check(req: Omit<UpstreamChatRequest, 'credential' | 'endpoints' | 'signal'>): void;
  /** Resolves once the upstream answered 2xx; rejects with UpstreamError otherwise. */
  open(req: UpstreamChatRequest): Promise<UpstreamStream>;
}
