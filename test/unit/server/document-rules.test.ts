import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { documentLimitRules, documentParseOptions } from '../../../src/server/document-rules';

const Item: GraphQLObjectType = new GraphQLObjectType({
  name: 'Item',
  fields: () => ({ name: { type: GraphQLString }, child: { type: Item } }),
});
const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { item: { type: Item } } }) });
const limits = { maxQueryDepth: 4, maxQueryComplexity: 1000, maxQueryTokens: 60, maxQueryAliases: 3, maxQueryDirectives: 2 };
const rules = [...specifiedRules, ...documentLimitRules(limits)];

function errorsOf(query: string): GraphQLError[] {
  return [...validate(schema, parse(query, documentParseOptions(limits)), rules)];
}

describe('document limit rules (graphql-armor, as configured for both transports)', () => {
  it('depth counts fields, not fragments', () => {
    expect(errorsOf('{ item { child { child { name } } } }')).toEqual([]);
    expect(errorsOf('{ item { ... on Item { child { ...F } } } } fragment F on Item { child { name } }')).toEqual([]);
    const deep = errorsOf('{ item { child { child { child { name } } } } }');
    expect(deep.map((e) => e.message)).toEqual(['Query depth limit of 4 exceeded, found 5.']);
    expect(deep[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('aliases and directives are counted through fragments', () => {
    expect(errorsOf('{ a: item { name } b: item { name } c: item { name } }')).toEqual([]);
    expect(errorsOf('{ a: item { ...F } b: item { ...F } } fragment F on Item { c: name d: name }').map((e) => e.message)).toEqual([
      'Aliases limit of 3 exceeded, found 6.',
    ]);
    expect(errorsOf('{ item { name @skip(if: false) ...F } } fragment F on Item { name @skip(if: false) @include(if: true) }').map((e) => e.message)).toEqual([
      'Directives limit of 2 exceeded, found 3.',
    ]);
  });

  it('parsing stops at the token limit', () => {
    expect(() => parse(`{ item { ${'name '.repeat(55)}} }`, documentParseOptions(limits))).not.toThrow();
    expect(() => parse(`{ item { ${'name '.repeat(56)}} }`, documentParseOptions(limits))).toThrow(/contains more tha[nt] 60 tokens/);
  });
});
