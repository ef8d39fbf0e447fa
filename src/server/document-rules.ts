import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimitsConfig } from '../config/config';

/**
 * Caps on a document's shape, shared by both transports (Apollo on HTTP, graphql-ws). Aliases,
 * directives and depth are graphql-armor validation rules: they run with graphql-js's own
 * rules, so a document is measured once, when it is validated, and a cached document is not
 * measured again. A failure is BAD_USER_INPUT and the document is never cached.
 */
export function documentLimitRules(limits: QueryLimitsConfig): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false, onReject: [reportBadInput] };
  return new ApolloArmor({
    maxAliases: { ...common, n: limits.maxQueryAliases },
    maxDirectives: { ...common, n: limits.maxQueryDirectives },
    // Fragments do not add a level: the same query with or without fragments has one depth.
    maxDepth: { ...common, n: limits.maxQueryDepth, flattenFragments: true },
    // graphql-js's parser stops at the token limit itself (documentParseOptions): armor's token
    // plugin would parse every new document a second time through a proxied lexer.
    maxTokens: { enabled: false },
    // Complexity weighs list fields by their page size (query-limits.ts); armor's cost cannot.
    costLimit: { enabled: false },
    // Introspection is open to every token holder, so suggestions reveal nothing more.
    blockFieldSuggestion: { enabled: false },
  }).protect().validationRules;
}

/**
 * graphql-js stops lexing past `maxTokens` ("Document contains more than N tokens"): a
 * document of millions of `a`s costs a few thousand tokens of work, not an AST of millions of
 * nodes.
 */
export function documentParseOptions(limits: QueryLimitsConfig): ParseOptions {
  return { maxTokens: limits.maxQueryTokens };
}

function reportBadInput(ctx: ValidationContext | null, err: GraphQLError): void {
  // armor prefixes "Syntax Error: " to limits that are not syntax errors.
  ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'BAD_USER_INPUT' } }));
}
