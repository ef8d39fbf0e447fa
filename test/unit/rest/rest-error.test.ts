import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { AppError } from '../../../src/errors/app-error';
import { createLogger } from '../../../src/infra/logger';
import { httpStatusOf, retryAfterOf } from '../../../src/rest/http-status';
import { restError, restHandler } from '../../../src/rest/rest-handler';

const lines: string[] = [];
const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) }));

/** How pg and TypeORM report each way Postgres cannot be reached. */
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
const wrapped = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);
const serverError = (code: string) => Object.assign(new Error('server says no'), { code, severity: 'FATAL' });

describe('restError: what both REST doors answer for a failure', () => {
  beforeEach(() => lines.splice(0));

  it.each([
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection, through TypeORM', wrapped(socketError('ECONNRESET'))],
    ['a connection ended under a query', wrapped(new Error('Connection terminated unexpectedly'))],
    ['no answer within DB_DATA_PATH_TIMEOUT (silent outage)', wrapped(new Error('Query read timeout'))],
    ['no pool connection in time', new Error('timeout exceeded when trying to connect')],
    ['the server shutting down', wrapped(serverError('57P01'))],
  ])('%s → UNAVAILABLE naming postgres, 503 with retry-after', (_what, err) => {
    const out = restError(err, logger, 'req-1');
    expect(out).toBeInstanceOf(AppError);
    expect(out.code).toBe('UNAVAILABLE');
    expect(out.extensions).toMatchObject({ dependency: 'postgres', retryable: true });
    expect(httpStatusOf(out)).toBe(503);
    expect(retryAfterOf(out)).toBe(2);
    expect(lines.join('')).toMatch(/Postgres unreachable/);
  });

  it.each([
    ['a bug', new TypeError('x is undefined')],
    ['a statement Postgres refused', wrapped(serverError('23505'))],
  ])('%s → INTERNAL_SERVER_ERROR with the request id only, logged', (_what, err) => {
    const out = restError(err, logger, 'req-2');
    expect(out.code).toBe('INTERNAL_SERVER_ERROR');
    expect(out.message).toBe('Internal server error (request id req-2)');
    expect(lines.join('')).toMatch(/unexpected error in a REST request/);
  });

  it('an AppError is answered as is', () => {
    const err = new AppError('NOT_FOUND', 'Organization not found');
    expect(restError(err, logger, 'req-3')).toBe(err);
  });

  it("the OpenAI door's catch-all sends UNAVAILABLE for a connection error, with the request id header", async () => {
    const sent: Array<{ err: AppError; headers?: Record<string, string> }> = [];
    const handle = restHandler(logger, (_res, err, headers) => sent.push({ err, headers }), () => Promise.reject(wrapped(socketError('ECONNREFUSED'))), () => 'req-4');
    await handle({} as never, {} as ServerResponse);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.err.code).toBe('UNAVAILABLE');
    expect(sent[0]!.headers).toEqual({ 'x-request-id': 'req-4' });
  });
});
