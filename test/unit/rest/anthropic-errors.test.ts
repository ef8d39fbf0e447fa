import { AppError } from '../../../src/errors/app-error';
import { anthropicError, anthropicErrorEvent } from '../../../src/rest/anthropic/anthropic-errors';
import { sseFrame } from '../../../src/rest/anthropic/stream-events';

describe('Anthropic error shape', () => {
  it.each([
    ['UNAUTHENTICATED', 401, 'authentication_error'],
    ['BAD_USER_INPUT', 400, 'invalid_request_error'],
    ['MODEL_NOT_FOUND', 404, 'not_found_error'],
    ['NO_KEY_FOR_MODEL', 403, 'permission_error'],
    ['BYOK_KEY_INVALID', 403, 'permission_error'],
    ['UPSTREAM_RATE_LIMITED', 429, 'rate_limit_error'],
    ['RATE_LIMITED', 429, 'rate_limit_error'],
    ['UPSTREAM_INSUFFICIENT_FUNDS', 402, 'billing_error'],
    ['UPSTREAM_ERROR', 502, 'api_error'],
    ['INTERNAL_SERVER_ERROR', 500, 'api_error'],
    ['CONFLICT', 409, 'invalid_request_error'],
  ] as const)('%s → %i %s', (code, status, type) => {
    expect(anthropicError(new AppError(code, 'why'))).toEqual({ status, body: { type: 'error', error: { type, message: 'why' } } });
  });

  it('an upstream 529 or a mid-stream overloaded_error stays overloaded_error 529', () => {
    expect(anthropicError(new AppError('UPSTREAM_ERROR', 'Anthropic failed (HTTP 529): Overloaded')).status).toBe(529);
    expect(anthropicError(new AppError('UPSTREAM_ERROR', 'Anthropic stream error (overloaded_error): Overloaded')).body.error.type).toBe('overloaded_error');
    expect(anthropicError(new AppError('UPSTREAM_ERROR', 'x', { upstreamStatus: 529 })).status).toBe(529);
    expect(anthropicError(new AppError('UPSTREAM_ERROR', 'Anthropic failed (HTTP 500)')).status).toBe(502);
  });

  it('in a stream: an error event, byte for byte', () => {
    expect(sseFrame(anthropicErrorEvent(new AppError('UPSTREAM_ERROR', 'OpenAI stream error: boom')))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"OpenAI stream error: boom"}}\n\n',
    );
  });
});

describe('Anthropic error shape: statuses an error carries itself', () => {
  it('413 from the body reader is request_too_large', () => {
    expect(anthropicError(new AppError('BAD_USER_INPUT', 'too big', { httpStatus: 413 }))).toEqual({
      status: 413,
      body: { type: 'error', error: { type: 'request_too_large', message: 'too big' } },
    });
  });
});
