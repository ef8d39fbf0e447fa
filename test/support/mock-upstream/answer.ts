/** A complete, non-streamed answer the mock sends. */
import { randomBytes } from 'node:crypto';

export interface MockAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): MockAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function textAnswer(status: number, body: string, headers: Record<string, string> = {}): MockAnswer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

/** Random lower-case hex id for request ids and the like. */
export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('hex');
}

/** A diagnostic answer for requests the mock cannot serve (unknown route, non-streaming call). */
export function mockProblem(status: number, message: string): MockAnswer {
  return jsonAnswer(status, { error: { message: `mock-upstream: ${message}`, type: 'mock_upstream_error' } });
}
