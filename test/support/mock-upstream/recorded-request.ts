import type { IncomingHttpHeaders } from 'node:http';

import type { ProviderId } from '../../../src/providers/types';
import type { Scenario } from './scenarios';

/** Which of the provider's routes a request hit. */
/** `count`: Anthropic's POST /v1/messages/count_tokens. */
export type EndpointKind = 'validation' | 'chat' | 'count' | 'public' | 'unknown';

/** One request the mock received, kept in `MockUpstream.requests` in arrival order. */
export interface RecordedRequest {
  /** 1, 2, 3, … per mock instance. */
  id: number;
  /** Provider whose prefix the path is under; null for paths no provider owns. */
  provider: ProviderId | null;
  endpoint: EndpointKind;
  method: string;
  /** Path as received (still URL-encoded), without the query. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, the raw text otherwise, null when empty. */
  body: unknown;
  /** Scenario read from the presented key; null when there was no parseable mock key. */
  scenario: Scenario | null;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** Status the mock sent, null while none was (slow, hang). */
  status: number | null;
  /** The mock wrote its whole response. */
  finished: boolean;
  /**
   * The client's socket closed before the mock finished writing its response: how tests
   * prove an upstream request was really aborted. Never set by the mock's own close().
   */
  clientClosedEarly: boolean;
}
