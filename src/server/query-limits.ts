import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, simpleEstimator, fieldExtensionsEstimator } from 'graphql-query-complexity';
import { badInput } from '../errors/app-error';
import { withoutVariableValue } from '../errors/variable-errors';

export interface QueryLimits {
  maxQueryDepth: number;
  maxQueryComplexity: number;
}

/**
 * Rejects abusive operations (deeply nested or very wide) before they execute. Used by both
 * transports: Apollo (HTTP) and graphql-ws (subscriptions).
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined | null,
  limits: QueryLimits,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  }
  const op = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!op) return; // graphql-js reports the missing operation itself
  const depth = selectionDepth(op.selectionSet, fragments, new Set());
  if (depth > limits.maxQueryDepth) {
    throw badInput(`Query depth ${depth} exceeds the limit of ${limits.maxQueryDepth}`);
  }
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables: variables ?? {},
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    // The estimator coerces variables itself; a bad value is the caller's mistake.
    if (err instanceof GraphQLError) throw badInput(withoutVariableValue(err.message, err));
    throw err;
  }
  if (complexity > limits.maxQueryComplexity) {
    throw badInput(`Query complexity ${complexity} exceeds the limit of ${limits.maxQueryComplexity}`);
  }
}

function selectionDepth(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  let max = 0;
  for (const sel of set.selections) {
    let d = 0;
    if (sel.kind === Kind.FIELD) {
      d = sel.selectionSet ? 1 + selectionDepth(sel.selectionSet, fragments, seen) : 1;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      d = selectionDepth(sel.selectionSet, fragments, seen);
    } else {
      const frag = fragments.get(sel.name.value);
      if (frag && !seen.has(frag.name.value)) {
        d = selectionDepth(frag.selectionSet, fragments, new Set([...seen, frag.name.value]));
      }
    }
    max = Math.max(max, d);
  }
  return max;
}
