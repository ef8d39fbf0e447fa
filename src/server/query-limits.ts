import {
  GraphQLError,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getComplexity, simpleEstimator, fieldExtensionsEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { badInput } from '../errors/app-error';
import { withoutVariableValue } from '../errors/variable-errors';
import { containsVariable } from './ast';
import { MAX_PAGE } from './pagination';

export interface QueryLimits {
  maxQueryComplexity: number;
}

/**
 * Rejects operations too costly to run before they execute. Used by both transports: Apollo
 * (HTTP) and graphql-ws. Depth, aliases, directives and tokens are capped earlier, when the
 * document is parsed and validated (document-rules.ts).
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined | null,
  limits: QueryLimits,
): void {
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  const op = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!op) return; // graphql-js reports the missing operation itself
  const known = measured(schema, document).get(op);
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
  if (!known) measured(schema, document).set(op, { complexity: variablesAffectComplexity(schema, document) ? undefined : complexity });
  if (complexity > limits.maxQueryComplexity) {
    throw badInput(`Query complexity ${complexity} exceeds the limit of ${limits.maxQueryComplexity}`);
  }
}

/** Per document (the WebSocket cache and Apollo's document store reuse the parsed AST): its measures. */
const passedLimits = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<OperationDefinitionNode, { complexity?: number }>>>();

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

