/**
 * The GraphQL documents the console sends, and the shapes it reads back. Only public API fields
 * (schema.graphql); never a field that could carry a secret (there is none: keys expose `hint`).
 */

export type KeyStatus = 'PENDING' | 'VALID' | 'INVALID' | 'UNREACHABLE';
export type OrgRole = 'OWNER' | 'ADMIN' | 'BILLING_MANAGER' | 'MEMBER';

export interface Me {
  id: string;
  email: string;
  name: string | null;
  organizations: Array<{ role: OrgRole; organization: { id: string; name: string } }>;
}


export interface Provider {
  id: string;
  slug: string;
  name: string;
  kind: 'STANDARD' | 'SUBSCRIPTION';
  credentialFormat: 'API_KEY' | 'AWS_CREDENTIALS';
}

/** Who is signed in, their organizations, and the provider list every page uses. */
export const BOOT = `query Boot {
  me { id email name organizations { role organization { id name } } }
  providers { id slug name kind credentialFormat }
}`;

export interface ByokKey {
  id: string;
  hint: string;
  enabled: boolean;
  status: KeyStatus;
  lastValidatedAt: string | null;
  lastUsedAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  provider: Provider;
}

const KEY_FIELDS = `id hint enabled status lastValidatedAt lastUsedAt lastError createdAt updatedAt
  provider { id slug name kind credentialFormat }`;

export const KEYS = `query Keys($org: ID) { byokKeys(organizationId: $org) { ${KEY_FIELDS} } }`;
export const ADD_KEY = `mutation AddKey($input: AddByokKeyInput!) { addByokKey(input: $input) { ${KEY_FIELDS} } }`;
export const UPDATE_KEY = `mutation UpdateKey($input: UpdateByokKeyInput!) { updateByokKey(input: $input) { ${KEY_FIELDS} } }`;
export const SET_KEY_ENABLED = `mutation SetKeyEnabled($id: ID!, $enabled: Boolean!) {
  setByokKeyEnabled(id: $id, enabled: $enabled) { ${KEY_FIELDS} } }`;
export const DELETE_KEY = `mutation DeleteKey($id: ID!) { deleteByokKey(id: $id) }`;
export const VALIDATE_KEY = `mutation ValidateKey($id: ID!) { validateByokKey(id: $id) { id outcome } }`;
export const KEY_STATUS_CHANGED = `subscription KeyStatusChanged($org: ID) { byokKeyStatusChanged(organizationId: $org) { ${KEY_FIELDS} } }`;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  sessionToken?: string;
}

export interface ValidationJob {
  id: string;
  trigger: string;
  outcome: string;
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  queuedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface AuditEvent {
  id: string;
  action: string;
  targetId: string | null;
  detail: string | null;
  createdAt: string;
  actor: { email: string } | null;
}

export const KEY_HISTORY = `query KeyHistory($id: ID!, $org: ID) {
  validationJobs(keyId: $id, first: 20) { edges { node { id trigger outcome attempts httpStatus error queuedAt finishedAt durationMs } } }
  auditEvents(organizationId: $org, first: 100) { edges { node { id action targetId detail createdAt actor { email } } } }
}`;

export interface Model {
  id: string;
  name: string;
  providers: string[];
  contextLength: number | null;
}

/** The catalog and the account's keys: the Models page shows which key would serve each model. */
export const MODELS_AND_KEYS = `query ModelsAndKeys($org: ID) {
  models { id name providers contextLength }
  byokKeys(organizationId: $org) { ${KEY_FIELDS} }
}`;

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costMicroUsd: number;
  failedRequests: number;
  unknownCostRequests: number;
}

const TOTALS = `totals { requests inputTokens outputTokens cachedInputTokens reasoningTokens costMicroUsd failedRequests unknownCostRequests }`;

export type UsageDimension = 'KEY' | 'MODEL' | 'PROVIDER';
export type TimeBucket = 'HOUR' | 'DAY';

export interface UsageFilter {
  organizationId?: string | null;
  from: string;
  to: string;
}

export interface UsageGroup {
  bucketStart: string | null;
  provider: string | null;
  model: string | null;
  keyId: string | null;
  key: { hint: string; provider: { name: string } } | null;
  totals: UsageTotals;
}

export const USAGE_SUMMARY = `query UsageSummary($bucket: TimeBucket, $groupBy: [UsageDimension!]!, $filter: UsageFilter!) {
  usageSummary(bucket: $bucket, groupBy: $groupBy, filter: $filter) {
    bucketStart provider model keyId key { hint provider { name } } ${TOTALS}
  }
}`;

export interface UsageRecord {
  id: string;
  provider: string;
  keySource: 'BYOK' | 'PLATFORM';
  keyId: string | null;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
  costKnown: boolean;
  status: string;
  errorCode: string | null;
  durationMs: number;
  createdAt: string;
  key: { hint: string } | null;
}

const RECORD_FIELDS = `id provider keySource keyId model inputTokens outputTokens costMicroUsd costKnown status errorCode durationMs createdAt key { hint }`;

export const USAGE_RECORDS = `query UsageRecords($filter: UsageFilter!, $first: Int!, $after: String) {
  usageRecords(filter: $filter, first: $first, after: $after) {
    edges { node { ${RECORD_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const USAGE_RECORDED = `subscription UsageRecorded($org: ID) { usageRecorded(organizationId: $org) { ${RECORD_FIELDS} } }`;

export interface ChatEvent {
  type: 'START' | 'DELTA' | 'USAGE' | 'DONE';
  requestId: string;
  provider: string | null;
  keySource: 'BYOK' | 'PLATFORM' | null;
  keyHint: string | null;
  upstreamModel: string | null;
  content: string | null;
  reasoning: string | null;
  finishReason: string | null;
  usage: { inputTokens: number; outputTokens: number; costMicroUsd: number; costKnown: boolean } | null;
}

export const CHAT = `subscription Chat($input: ChatCompletionInput!) {
  chatCompletion(input: $input) {
    type requestId provider keySource keyHint upstreamModel content reasoning finishReason
    usage { inputTokens outputTokens costMicroUsd costKnown }
  }
}`;

export interface Connection<T> {
  edges: Array<{ node: T }>;
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
}
