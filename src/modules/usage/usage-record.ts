import type { KeySource, UsageStatus } from './usage-enums';

/**
 * One request's usage as the stream produced it: what the recorder writes (directly, or from
 * the durable retry queue). Plain data, safe to put in a job payload: ids and numbers only.
 */
export interface UsageRecordInput {
  requestId: string;
  userId: string;
  organizationId: string | null;
  provider: string;
  keySource: KeySource;
  keyId: string | null;
  model: string;
  upstreamModel: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (part of inputTokens). */
  cacheWriteTokens: number;
  reasoningTokens: number;
  usageEstimated: boolean;
  costMicroUsd: number | null;
  status: UsageStatus;
  errorCode: string | null;
  timeToFirstTokenMs: number | null;
  durationMs: number;
  /** ISO time the request started. */
  createdAt: string;
}

/** What `usageRecorded` subscribers receive over Redis: enough to filter, then re-read by id. */
export interface UsageRecordedEvent {
  requestId: string;
  userId: string;
  organizationId: string | null;
}

export const USAGE_TOPIC = 'usage-recorded';
