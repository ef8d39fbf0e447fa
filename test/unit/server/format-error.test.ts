import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { createLogger } from '../../../src/infra/logger';
import { formatError } from '../../../src/server/format-error';

const logger = createLogger('info', new Writable({ write: (_c, _e, cb) => cb() }));

describe('formatError outside a resolver', () => {
  it('Postgres unreachable becomes UNAVAILABLE naming postgres, not INTERNAL_SERVER_ERROR', () => {
    const driverError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const error = new GraphQLError('connect ECONNREFUSED 127.0.0.1:5432', { originalError: new QueryFailedError('SELECT 1', [], driverError) });
    const out = formatError({ message: error.message }, error, logger);
    expect(out.extensions).toMatchObject({ code: 'UNAVAILABLE', dependency: 'postgres', retryable: true });
    expect(out.message).not.toMatch(/127\.0\.0\.1/);
  });

  it('anything else is still masked', () => {
    const error = new GraphQLError('boom', { originalError: new Error('boom') });
    const out = formatError({ message: 'boom' }, error, logger);
    expect(out.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(out.message).not.toMatch(/boom/);
  });
});
