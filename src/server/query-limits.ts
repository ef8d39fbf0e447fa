import {
  GraphQLError,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, simpleEstimator, fieldExtensionsEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { badInput } from '../errors/app-error';
import { withoutVariableValue } from '../errors/variable-errors';
import { containsVariable } from './ast';
import { MAX_PAGE } from './pagination';

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
  const known = measured(schema, document).get(op);
  const depth = known?.depth ?? selectionDepth(op.selectionSet, fragments, new Set());
  if (depth > limits.maxQueryDepth) {
    throw badInput(`Query depth ${depth} exceeds the limit of ${limits.maxQueryDepth}`);
  }
  let complexity: number;
  if (known?.complexity !== undefined) complexity = known.complexity; // the same whatever the variables
  else try {
    complexity = getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables: variables ?? {},
      estimators: [fieldExtensionsEstimator(), pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    // The estimator coerces variables itself; a bad value is the caller's mistake.
    if (err instanceof GraphQLError) throw badInput(withoutVariableValue(err.message, err));
    throw err;
  }
  // When no variable can change the figure, the next request with this document skips the
  // estimator, which coerces every variable (a completion's whole prompt) on each call.
  if (!known) measured(schema, document).set(op, { depth, complexity: variablesAffectComplexity(schema, document) ? undefined : complexity });
  if (complexity > limits.maxQueryComplexity) {
    throw badInput(`Query complexity ${complexity} exceeds the limit of ${limits.maxQueryComplexity}`);
  }
}

/** Per document (the WebSocket cache and Apollo's document store reuse the parsed AST): its measures. */
const passedLimits = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<OperationDefinitionNode, { depth: number; complexity?: number }>>>();

function measured(schema: GraphQLSchema, document: DocumentNode) {
  let bySchema = passedLimits.get(schema);
  if (!bySchema) passedLimits.set(schema, (bySchema = new WeakMap()));
  let byOp = bySchema.get(document);
  if (!byOp) bySchema.set(document, (byOp = new Map()));
  return byOp;
}

/**
 * Whether a variable's value can change the document's complexity: through @skip/@include, or
 * as an argument of a field whose complexity is a function of its arguments (`first`, …).
 */
function variablesAffectComplexity(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let affects = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Directive: (node) => {
        if (containsVariable(node)) affects = true;
      },
      Field: (node) => {
        if (!node.arguments?.some((a) => containsVariable(a.value))) return;
        const def = typeInfo.getFieldDef();
        if (!def || typeof def.extensions.complexity === 'function') affects = true;
        if (node.arguments.some((a) => a.name.value === PAGE_ARG && containsVariable(a.value))) affects = true;
      },
    }),
  );
  return affects;
}

const PAGE_ARG = 'first';

/**
 * A paged list (a field with `first`) costs what one item costs times the page size: nested
 * connections multiply, as the rows they return do. Without this, 10 nested pages of 100 counted
 * as a handful of fields. `args` carries the default when `first` is omitted.
 */
const pageSizeEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((a) => a.name === PAGE_ARG)) return undefined;
  const first = args[PAGE_ARG];
  const size = typeof first === 'number' && Number.isFinite(first) ? Math.min(Math.max(first, 1), MAX_PAGE) : MAX_PAGE;
  return 1 + size * Math.max(childComplexity, 1);
};

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
