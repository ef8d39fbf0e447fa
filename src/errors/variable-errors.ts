import { GraphQLError, Kind } from 'graphql';

/**
 * graphql-js writes the submitted value into variable coercion errors
 * (`Variable "$input" got invalid value { apiKey: "sk-…" } at "input.x"; …`): that value may be a
 * secret. Rebuild the message from the variable, the path and the reason, without the value.
 */
export function withoutVariableValue(message: string, original: unknown): string {
  const m = /^Variable "(\$[A-Za-z_][A-Za-z0-9_]*)" got invalid value /.exec(message);
  if (!m) return message;
  const at = / at "([^"]*)"; /.exec(message.slice(m[0].length));
  const inner = (original as { originalError?: { message?: string } } | undefined)?.originalError?.message;
  const reason = (inner ?? 'invalid value')
    .replace(/(cannot represent[^:]*):.*$/s, '$1.')
    .replace(/^Value ".*" does not exist in/s, 'Value does not exist in');
  return `Variable "${m[1]}" has an invalid value${at ? ` at "${at[1]}"` : ''}: ${reason}`;
}

/** graphql-js's variable coercion errors: they sit on the variable's definition, outside any path. */
export function isVariableError(e: unknown): boolean {
  return e instanceof GraphQLError && e.path === undefined && e.nodes?.[0]?.kind === Kind.VARIABLE_DEFINITION;
}
