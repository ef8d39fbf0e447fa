import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { badInput } from '../errors/app-error';
import { UNVALIDATED_OPERATION, type Metrics } from '../infra/metrics';
import type { GraphQLContext } from './context';
import { checkQueryLimits, type QueryLimits } from './query-limits';

/** Rejects abusive operations once they are parsed and validated, before execution. */
export function queryLimitsPlugin(schema: () => GraphQLSchema, limits: QueryLimits): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          checkQueryLimits(schema(), document, request.operationName, request.variables, limits);
        },
      };
    },
  };
}

/**
 * A subscription posted over HTTP is the caller's mistake, not ours: graphql-js would run the
 * subscription's per-event resolver without an event and fail with a stack trace.
 */
export function subscriptionsOnWebSocketPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw badInput('Subscriptions are served over the WebSocket: connect to /graphql with the graphql-ws protocol');
          }
        },
      };
    },
  };
}

/**
 * Operation counts and durations by operation name (never by user or token). Only an operation
 * that validated against the schema is labelled by its name; every other one shares one label,
 * so random names cannot grow /metrics.
 */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let type = 'unknown';
      let name = UNVALIDATED_OPERATION;
      return {
        async didResolveOperation({ operation, operationName }) {
          type = operation?.operation ?? 'unknown';
          name = metrics.operationLabel(operationName);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          metrics.graphqlOperations.inc({ operation: name, type, outcome: errors?.length ? 'error' : 'ok' });
          metrics.graphqlDuration.observe({ operation: name, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
