import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors/app-error';
import type { Logger } from '../infra/logger';

/** Writes a failure in the door's error shape. */
export type SendError = (res: ServerResponse, err: AppError, headers?: Record<string, string>) => void;

/**
 * The one try/catch of a REST door: an AppError is answered in the door's shape; anything else
 * is logged and answered as INTERNAL_SERVER_ERROR with the request id, never its message.
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
      const error = err instanceof AppError ? err : internal(err, logger, requestId);
      sendError(res, error, { 'x-request-id': requestId });
    }
  };
}

function internal(err: unknown, logger: Logger, requestId: string): AppError {
  logger.error({ err, requestId }, 'unexpected error in a REST request');
  return new AppError('INTERNAL_SERVER_ERROR', `Internal server error (request id ${requestId})`, { requestId });
}

/** A JSON response with its length (no chunked encoding for a body we hold whole). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
