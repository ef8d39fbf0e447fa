/**
 * graphql-ws sends a result that is not a stream as a `next` message, errors included. A request
 * graphql-js refused before executing anything (its variables did not coerce) is the caller's
 * mistake and must be an `error` message, as every other refusal is. Coercing the variables in
 * onSubscribe as well would do it twice per request (execution takes no coerced values): a
 * completion's whole prompt, ~0.3 ms for 20 messages. So the refusal is spotted in the result
 * and handed to graphql-ws as a stream that fails at once, which it sends as an `error` message
 * (through onError, where {@link unwrapRequestErrors} takes the original errors back out).
 */
import type { ExecutionResult, GraphQLError } from 'graphql';
import { isVariableError } from '../errors/variable-errors';

/** The errors of a request refused before execution, carried through graphql-ws's error path. */
class RequestErrors extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors[0]?.message ?? 'request refused');
  }
}

/**
 * For graphql-ws's onOperation (given the settled result): a stream that fails at once for a
 * request refused before execution, else undefined (the result goes out as it is).
 */
export function failedBeforeExecution(result: unknown): AsyncGenerator<ExecutionResult> | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  if (Symbol.asyncIterator in result || 'data' in result) return undefined; // executed: data is set, even null
  const errors = (result as ExecutionResult).errors ?? [];
  if (errors.length === 0 || !errors.every(isVariableError)) return undefined;
  return failing(new RequestErrors(errors));
}

/** For graphql-ws's onError: the original errors of a {@link failedBeforeExecution} stream. */
export function unwrapRequestErrors(errors: readonly GraphQLError[]): readonly GraphQLError[] {
  return errors.flatMap((e) => (e.originalError instanceof RequestErrors ? e.originalError.errors : [e]));
}

async function* failing(err: RequestErrors): AsyncGenerator<ExecutionResult> {
  throw err;
}
