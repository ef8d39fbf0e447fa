import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '../errors/app-error';
import { unexpectedError } from '../errors/unexpected-error';
import type { Logger } from '../infra/logger';

/** Writes a failure in the door's error shape. */
export type SendError = (res: ServerResponse, err: AppError, headers?: Record<string, string>) => void;

/**
 * The one try/catch of a REST door: an AppError is answered in the door's shape; anything else
 * is logged and answered as INTERNAL_SERVER_ERROR with the request id, never its message
 * (UNAVAILABLE when it says Postgres cannot be reached, see {@link restError}).
 */
export function restHandler(
  logger: Logger,
  sendError: SendError,
  handle: (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>,
  newRequestId: () => string,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const requestId = newRequestId();
    try {
      await handle(req, res, requestId);
    } catch (err) {
      sendError(res, restError(err, logger, requestId), { 'x-request-id': requestId });
    }
  };
}

/**
 * What a REST door answers for `err` ({@link unexpectedError}, as GraphQL and the completion
 * stream do): a Postgres outage is UNAVAILABLE, 503 with retry-after (issue 16: a route that
 * needs the database while it is cut, e.g. GET /api/user, must not answer 500).
 */
export function restError(err: unknown, logger: Logger, requestId: string): AppError {
  return unexpectedError(err, logger, { requestId }, 'This request', 'unexpected error in a REST request');
}

/** A JSON response with its length (no chunked encoding for a body we hold whole). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
