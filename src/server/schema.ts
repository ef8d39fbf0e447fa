import { printSchema, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
import { ApiTokensResolver } from '../modules/api-tokens/api-tokens.resolver';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { ChatResolver } from '../modules/chat/chat.resolver';
import { ByokKeysResolver } from '../modules/byok-keys/byok-keys.resolver';
import { ProvidersResolver } from '../modules/providers/providers.resolver';
import { OrganizationsResolver } from '../modules/organizations/organizations.resolver';
import { UsersResolver } from '../modules/users/users.resolver';
import { ByokKeyValidationJobsResolver, ValidationResolver } from '../modules/validation/validation.resolver';
import { UsageRecordsResolver } from '../modules/usage/usage-records.resolver';
import { ByokKeyUsageResolver, UsageResolver } from '../modules/usage/usage.resolver';
import { maskUnexpectedErrors } from './format-error';

/**
 * Every resolver of the public API. Object types declare `simpleResolvers: true`: their plain
 * fields are data and cannot fail, and without it type-graphql runs the global middleware chain
 * (several promises) for every field of every streamed event.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  UsersResolver,
  OrganizationsResolver,
  ApiTokensResolver,
  ProvidersResolver,
  ByokKeysResolver,
  AuditResolver,
  ValidationResolver,
  ByokKeyValidationJobsResolver,
  ChatResolver,
  UsageResolver,
  UsageRecordsResolver,
  ByokKeyUsageResolver,
];

/**
 * type-graphql insists on a PubSub once any subscription exists, but ours all bring their own
 * `subscribe` (Redis-backed, see infra/pubsub.ts): topic-based subscriptions are a mistake here.
 */
const NO_TOPIC_PUBSUB: PubSub = {
  publish: () => {
    throw new Error('topic-based publish is not used: subscriptions bring their own subscribe()');
  },
  subscribe: () => {
    throw new Error('topic-based subscriptions are not used: give @Subscription a subscribe()');
  },
};

let cached: Promise<GraphQLSchema> | undefined;

/** Builds the schema from the resolvers (once per process: type-graphql metadata is global). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    globalMiddlewares: [maskUnexpectedErrors],
    pubSub: NO_TOPIC_PUBSUB,
  });
  return cached;
}

/** The SDL committed as schema.graphql. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(await buildAppSchema())}\n`;
}
