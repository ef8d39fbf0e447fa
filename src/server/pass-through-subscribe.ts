/**
 * `subscribe` for graphql-ws that sends the events of pass-through subscriptions itself, without
 * running `execute` per event or graphql-ws's per-event path.
 *
 * graphql-js maps every event through a full `execute`: it re-coerces the operation's variables
 * (the whole prompt of a completion, on every delta), re-collects the selection and runs the
 * root field's resolver with its middlewares; graphql-ws then awaits three promises, copies the
 * result twice and validates the message before stringifying it. For a root field marked
 * {@link PASS_THROUGH_EVENTS} (its per-event resolver returns the event as is and throws it when
 * it is an Error) the selection is compiled once per document into a serializer over the
 * event's plain fields, and each serialized event goes straight to an {@link EventSink} (the
 * subscription's socket), in order. Anything the serializer does not cover exactly falls back
 * to graphql-js: a document using variables below the root field, abstract types, custom field
 * resolvers; per event, an Error or a value that would produce a field error (null in a
 * non-null field, a scalar that does not serialize). Such an event is run through the real
 * `execute` and returned to graphql-ws, which sends it as usual, so results are identical
 * either way.
 */
import {
  GraphQLError,
  Kind,
  createSourceEventStream,
  defaultFieldResolver,
  execute,
  getOperationAST,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  subscribe,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
import { containsVariable } from './ast';

/** Field extension: the per-event resolver returns the event unchanged (throws it if an Error). */
export const PASS_THROUGH_EVENTS = 'passThroughEvents';

/** A serializer's answer when graphql-js must handle the value (it would be a field error). */
const FALLBACK: unique symbol = Symbol('fallback');
/**
 * A value to its JSON text, as JSON.stringify would write what graphql-js's `execute` returns
 * for it; straight to text, without building the result object first.
 */
type Serializer = (value: unknown) => string | typeof FALLBACK;

interface Plan {
  responseKey: string;
  serialize: Serializer;
}

/** Plans by document and operation name; `null`: this operation takes graphql-js's path. */
const plans = new WeakMap<DocumentNode, Map<string, Plan | null>>();

/** Where the plain events of a pass-through subscription go (its socket). */
export interface EventSink {
  /**
   * Sends `{ data: { [responseKey]: <json> } }` as the subscription's next result, `json` being
   * the field's value as JSON text. Returns false when the transport's buffer is over its
   * high-water mark: the next event waits for drained().
   */
  next(responseKey: string, json: string): boolean;
  /** Resolves once the transport takes more (or is gone). */
  drained(): Promise<void>;
}

/**
 * Drop-in for graphql-js `subscribe`, given the subscription's sink. The iterator it returns
 * yields only the results graphql-js produced (errors, fallbacks); the rest went to `sink`.
 */
export async function passThroughSubscribe(
  args: ExecutionArgs,
  sink: EventSink,
): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const plan = planFor(args.schema, args.document, args.operationName ?? undefined);
  if (!plan) return subscribe(args);
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source; // errors before the stream started
  return relay(source[Symbol.asyncIterator](), plan, args, sink);
}

/** Whether events of this operation are serialized here rather than by `execute`. */
export function hasPassThroughPlan(schema: GraphQLSchema, document: DocumentNode, operationName?: string): boolean {
  return planFor(schema, document, operationName) !== null;
}

function planFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Plan | null {
  let byName = plans.get(document);
  if (!byName) plans.set(document, (byName = new Map()));
  const key = operationName ?? '';
  let plan = byName.get(key);
  if (plan === undefined) {
    plan = compile(schema, document, operationName);
    byName.set(key, plan);
  }
  return plan;
}

function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Plan | null {
  const operation = getOperationAST(document, operationName);
  const rootType = schema.getSubscriptionType();
  if (operation?.operation !== 'subscription' || !rootType) return null;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  // @skip/@include with variables would need the coerced variables: leave those to graphql-js.
  if (Object.values(fragments).some(containsVariable)) return null;
  for (const s of operation.selectionSet.selections) {
    if (s.kind !== Kind.FIELD || s.directives?.length || (s.selectionSet && containsVariable(s.selectionSet))) return null;
  }

  const root = collectFields(schema, fragments, {}, rootType, operation.selectionSet);
  if (root.size !== 1) return null;
  const [responseKey, nodes] = [...root][0]!;
  const field = rootType.getFields()[nodes[0]!.name.value];
  if (field?.extensions[PASS_THROUGH_EVENTS] !== true) return null;
  const serialize = compileOutput(schema, fragments, field.type, nodes);
  return serialize ? { responseKey, serialize } : null;
}

function compileOutput(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  type: GraphQLOutputType,
  nodes: readonly FieldNode[],
): Serializer | null {
  if (isNonNullType(type)) {
    const inner = compileOutput(schema, fragments, type.ofType, nodes);
    return inner && ((v) => (v === null || v === undefined ? FALLBACK : inner(v)));
  }
  const nullable = (inner: Serializer | null): Serializer | null => inner && ((v) => (v === null || v === undefined ? 'null' : inner(v)));
  if (isListType(type)) {
    const item = compileOutput(schema, fragments, type.ofType, nodes);
    return nullable(
      item &&
        ((v) => {
          if (!Array.isArray(v)) return FALLBACK;
          let json = '[';
          for (let i = 0; i < v.length; i++) {
            const one = item(v[i]);
            if (one === FALLBACK) return FALLBACK;
            json += i === 0 ? one : `,${one}`;
          }
          return `${json}]`;
        }),
    );
  }
  if (isLeafType(type)) {
    return nullable((v) => {
      try {
        const s: unknown = type.serialize(v);
        return s === undefined ? FALLBACK : JSON.stringify(s);
      } catch {
        return FALLBACK;
      }
    });
  }
  if (!isObjectType(type) || type.isTypeOf) return null;

  /** Each field with the JSON text that precedes its value: `{"key":` or `,"key":`. */
  const fields: { name: string; prefix: string; serialize: Serializer }[] = [];
  for (const [key, fieldNodes] of collectSubfields(schema, fragments, {}, type, nodes)) {
    const name = fieldNodes[0]!.name.value;
    const prefix = `${fields.length === 0 ? '{' : ','}${JSON.stringify(key)}:`;
    if (name === '__typename') {
      const typename = JSON.stringify(type.name);
      fields.push({ name, prefix, serialize: () => typename }); // events carry no __typename of their own
      continue;
    }
    const def = type.getFields()[name];
    if (!def || (def.resolve !== undefined && def.resolve !== defaultFieldResolver)) return null;
    const serialize = compileOutput(schema, fragments, def.type, fieldNodes);
    if (!serialize) return null;
    fields.push({ name, prefix, serialize });
  }
  if (fields.length === 0) return null;
  return nullable((v) => {
    if (typeof v !== 'object' || v === null) return FALLBACK;
    const source = v as Record<string, unknown>;
    let json = '';
    for (const f of fields) {
      const raw = source[f.name];
      // The default resolver would call a method; that is graphql-js's business.
      if (typeof raw === 'function') return FALLBACK;
      const value = f.serialize(raw);
      if (value === FALLBACK) return FALLBACK;
      json += f.prefix + value;
    }
    return `${json}}`;
  });
}

/**
 * Pulls the source's events and sends the serialized ones to `sink`, all within one next() of
 * the returned iterator, which resolves only with a result graphql-js made (or the end).
 * return() stops sending at once and reaches the source (which aborts its upstream call).
 */
function relay(source: AsyncIterator<unknown>, plan: Plan, args: ExecutionArgs, sink: EventSink): AsyncGenerator<ExecutionResult, void, void> {
  let stopped = false;
  const done: IteratorResult<ExecutionResult, void> = { value: undefined, done: true };
  const iterator = {
    async next(): Promise<IteratorResult<ExecutionResult, void>> {
      for (;;) {
        if (stopped) return done;
        const r = await source.next();
        if (r.done || stopped) return done;
        const event = r.value;
        if (!(event instanceof Error)) {
          const data = plan.serialize(event);
          if (data !== FALLBACK) {
            if (!sink.next(plan.responseKey, data)) await sink.drained();
            continue;
          }
        }
        return { value: await execute({ ...args, rootValue: event }), done: false };
      }
    },
    async return(): Promise<IteratorResult<ExecutionResult, void>> {
      stopped = true;
      await source.return?.();
      return done;
    },
    async throw(err: unknown): Promise<IteratorResult<ExecutionResult, void>> {
      stopped = true;
      if (source.throw) await source.throw(err);
      throw err instanceof Error ? err : new GraphQLError(String(err));
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator as AsyncGenerator<ExecutionResult, void, void>;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof (v as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}
