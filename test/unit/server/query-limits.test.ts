import { GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { type AppError } from '../../../src/errors/app-error';
import { checkQueryLimits } from '../../../src/server/query-limits';

const Item: GraphQLObjectType = new GraphQLObjectType({
  name: 'Item',
  fields: () => ({ name: { type: GraphQLString }, child: { type: Item } }),
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      echo: { type: GraphQLString, args: { text: { type: new GraphQLNonNull(GraphQLString) } } },
      items: {
        type: new GraphQLList(Item),
        args: { first: { type: new GraphQLNonNull(GraphQLInt) } },
        extensions: { complexity: ({ args, childComplexity }: { args: { first: number }; childComplexity: number }) => args.first * childComplexity },
      },
    },
  }),
});

function check(query: ReturnType<typeof parse>, variables: Record<string, unknown>, maxQueryComplexity: number) {
  try {
    checkQueryLimits(schema, query, undefined, variables, { maxQueryComplexity });
    return 'ok';
  } catch (err) {
    return (err as AppError).message;
  }
}

describe('checkQueryLimits', () => {
  it('rejects complexity over the limit, every time, whatever limits a process runs with', () => {
    const doc = parse('query($t: String!) { echo(text: $t) a: echo(text: "x") b: echo(text: "y") }');
    expect(check(doc, { t: 'hi' }, 10)).toBe('ok');
    expect(check(doc, { t: 'hi' }, 2)).toMatch(/complexity 3 exceeds the limit of 2/);
    expect(check(doc, { t: 'hi' }, 10)).toBe('ok');
  });

  it('recomputes when a variable drives the complexity (a page size)', () => {
    const doc = parse('query($n: Int!) { items(first: $n) { name } }');
    expect(check(doc, { n: 2 }, 100)).toBe('ok');
    expect(check(doc, { n: 500 }, 100)).toMatch(/complexity \d+ exceeds the limit of 100/);
    expect(check(doc, { n: 3 }, 100)).toBe('ok');
  });

  it('recomputes when a variable decides what is selected (@include)', () => {
    const doc = parse('query($big: Boolean!) { items(first: 50) @include(if: $big) { name } echo(text: "x") }');
    expect(check(doc, { big: false }, 20)).toBe('ok');
    expect(check(doc, { big: true }, 20)).toMatch(/exceeds the limit of 20/);
  });

  it('measures a document once when no variable can change its complexity (variables are coerced later, by execution)', () => {
    const doc = parse('query($t: String!) { echo(text: $t) }');
    expect(check(doc, { t: 3 }, 10)).toMatch(/String/); // not measured yet: the estimator coerces and rejects
    expect(check(doc, { t: 'fine' }, 10)).toBe('ok');
    expect(check(doc, { t: 3 }, 10)).toBe('ok'); // measured: graphql-js rejects the value when it executes
  });
});
