import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { PASS_THROUGH_EVENTS, passThroughSubscribe, type EventSink } from '../../../src/server/pass-through-subscribe';

/**
 * The fast path must give exactly what graphql-js gives: every case runs the same events through
 * both and compares. The root resolver counts its calls, which shows which path served an event.
 */
const Kind = new GraphQLEnumType({ name: 'Kind', values: { START: { value: 'START' }, DELTA: { value: 'DELTA' } } });
const Usage = new GraphQLObjectType({
  name: 'Usage',
  fields: { tokens: { type: new GraphQLNonNull(GraphQLInt) }, estimated: { type: GraphQLBoolean } },
});
const Event = new GraphQLObjectType({
  name: 'Event',
  fields: {
    type: { type: new GraphQLNonNull(Kind) },
    content: { type: GraphQLString },
    tags: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    usage: { type: Usage },
    shout: { type: GraphQLString, resolve: (e: { content?: string }) => e.content?.toUpperCase() },
  },
});
const Input = new GraphQLInputObjectType({ name: 'In', fields: { prompt: { type: new GraphQLNonNull(GraphQLString) } } });

let rootCalls = 0;
let source: unknown[] = [];

function field(passThrough: boolean) {
  return {
    type: new GraphQLNonNull(Event),
    args: { input: { type: new GraphQLNonNull(Input) } },
    extensions: passThrough ? { [PASS_THROUGH_EVENTS]: true } : {},
    subscribe: async function* () {
      for (const e of source) yield e;
    },
    resolve: (e: unknown) => {
      rootCalls++;
      if (e instanceof Error) throw e;
      return e;
    },
  };
}
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType({ name: 'Subscription', fields: { events: field(true), plain: field(false) } }),
});

/** A sink that records what it was sent, in order with what the iterator yields. */
function recordingSink(out: ExecutionResult[]): EventSink {
  return {
    next: (key, json) => {
      out.push({ data: { [key]: JSON.parse(json) as unknown } } as ExecutionResult);
      return true;
    },
    drained: () => Promise.resolve(),
  };
}

async function collect(run: (a: ExecutionArgs, sink: EventSink) => Promise<unknown>, query: string, variables: Record<string, unknown>) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  rootCalls = 0;
  const out: ExecutionResult[] = [];
  const result = await run({ schema, document, variableValues: variables }, recordingSink(out));
  if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
    for await (const r of result as AsyncIterable<ExecutionResult>) out.push(JSON.parse(JSON.stringify(r)) as ExecutionResult);
  } else out.push(JSON.parse(JSON.stringify(result)) as ExecutionResult);
  return { out, rootCalls };
}

async function both(query: string, events: unknown[], variables: Record<string, unknown> = { i: { prompt: 'hi' } }) {
  source = events;
  const fast = await collect((a, sink) => passThroughSubscribe(a, sink), query, variables);
  const reference = await collect((a) => subscribe(a), query, variables);
  expect(fast.out).toEqual(reference.out);
  return { results: fast.out, rootCalls: fast.rootCalls };
}

const START = { type: 'START', content: null, tags: ['a', 'b'] };
const DELTA = { type: 'DELTA', content: 'hé "quoted" \u2028', usage: { tokens: 3, estimated: false } };

describe('passThroughSubscribe', () => {
  it('serializes plain events without calling the root resolver: aliases, fragments, __typename, nesting', async () => {
    const query = `subscription S($i: In!) { e: events(input: $i) { __typename kind: type ...F ... on Event { usage { tokens estimated } } } }
      fragment F on Event { content tags }`;
    const { results, rootCalls } = await both(query, [START, DELTA, { type: 'DELTA', content: 'x' }]);
    expect(rootCalls).toBe(0);
    expect(results[0]).toEqual({ data: { e: { __typename: 'Event', kind: 'START', content: null, tags: ['a', 'b'], usage: null } } });
    expect(results[1]?.data).toEqual({ e: { __typename: 'Event', kind: 'DELTA', content: DELTA.content, tags: null, usage: { tokens: 3, estimated: false } } });
  });

  it('writes the same JSON text, key order included, as JSON.stringify of what graphql-js returns', async () => {
    const query = 'subscription ($i: In!) { e: events(input: $i) { usage { estimated tokens } content kind: type tags } }';
    source = [START, DELTA];
    const texts: string[] = [];
    const sink: EventSink = { next: (_key, json) => texts.push(json) > 0, drained: () => Promise.resolve() };
    const args = { schema, document: parse(query), variableValues: { i: { prompt: 'x' } } };
    for await (const _ of (await passThroughSubscribe(args, sink)) as AsyncIterable<unknown>) void _;
    const reference: string[] = [];
    for await (const r of (await subscribe(args)) as AsyncIterable<ExecutionResult>) reference.push(JSON.stringify(r.data?.e));
    expect(texts).toEqual(reference);
  });

  it('hands an Error event to graphql-js: the field error, with path and location', async () => {
    const { results, rootCalls } = await both('subscription ($i: In!) { events(input: $i) { type content } }', [START, new Error('upstream broke')]);
    expect(rootCalls).toBe(1);
    expect(results[1]).toMatchObject({ data: null, errors: [{ message: 'upstream broke', path: ['events'] }] });
  });

  it('falls back per event for values that are field errors: null in non-null, unknown enum value, bad list item', async () => {
    const bad = [{ type: 'NOPE' }, { type: 'DELTA', usage: { tokens: null } }, { type: 'DELTA', tags: ['ok', null] }, { content: 'no type' }];
    const { results, rootCalls } = await both('subscription ($i: In!) { events(input: $i) { type tags usage { tokens } } }', [START, ...bad, DELTA]);
    expect(rootCalls).toBe(bad.length);
    expect(results.slice(1, 5).every((r) => (r.errors?.length ?? 0) > 0)).toBe(true);
  });

  it('leaves to graphql-js what it does not compile: custom field resolvers, variables below the root, unmarked fields', async () => {
    for (const query of [
      'subscription ($i: In!) { events(input: $i) { shout } }',
      'subscription ($i: In!, $c: Boolean!) { events(input: $i) { type content @include(if: $c) } }',
      'subscription ($i: In!) { plain(input: $i) { type content } }',
    ]) {
      const { rootCalls } = await both(query, [START, DELTA], { i: { prompt: 'hi' }, c: false });
      expect(rootCalls).toBe(2);
    }
  });

  it('answers variable errors before subscribing, as graphql-js does', async () => {
    const { results } = await both('subscription ($i: In!) { events(input: $i) { type } }', [START], { i: { prompt: 3 } });
    expect(results).toHaveLength(1);
    expect(results[0]?.errors?.[0]?.message).toMatch(/prompt/);
  });

  it('return() while waiting for the next event stops the relay and reaches the source at once', async () => {
    // Like the chat resolver's abortable iterator: return() settles a pending next().
    let closed = false;
    let pending: ((r: IteratorResult<unknown>) => void) | undefined;
    let calls = 0;
    const events: AsyncIterableIterator<unknown> = {
      next: () => (calls++ === 0 ? Promise.resolve({ value: START, done: false }) : new Promise((resolve) => (pending = resolve))),
      return: () => {
        closed = true;
        pending?.({ value: DELTA, done: false }); // an event racing the return: must not be sent
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => events,
    };
    const s = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
      subscription: new GraphQLObjectType({ name: 'Subscription', fields: { events: { ...field(true), subscribe: () => events } } }),
    });
    const out: ExecutionResult[] = [];
    const it = (await passThroughSubscribe(
      { schema: s, document: parse('subscription { events(input: {prompt: "x"}) { type } }') },
      recordingSink(out),
    )) as AsyncGenerator<ExecutionResult>;
    const next = it.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toEqual([{ data: { events: { type: 'START' } } }]);
    await it.return(undefined);
    expect(closed).toBe(true);
    expect(await next).toEqual({ value: undefined, done: true });
    expect(out).toHaveLength(1);
  });

  it('waits for the sink to drain before pulling the next event', async () => {
    source = [START, DELTA, DELTA];
    const out: ExecutionResult[] = [];
    let full = true;
    let release: (() => void) | undefined;
    const sink: EventSink = {
      next: (key, json) => {
        out.push({ data: { [key]: JSON.parse(json) as unknown } } as ExecutionResult);
        return !full;
      },
      drained: () => new Promise<void>((resolve) => (release = resolve)),
    };
    const it = (await passThroughSubscribe(
      { schema, document: parse('subscription ($i: In!) { events(input: $i) { type } }'), variableValues: { i: { prompt: 'x' } } },
      sink,
    )) as AsyncGenerator<ExecutionResult>;
    const end = it.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toHaveLength(1); // held after the first: the sink said it was full
    full = false;
    release!();
    expect(await end).toEqual({ value: undefined, done: true });
    expect(out).toHaveLength(3);
  });
});
