import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { operationLabel, type Metrics } from '../infra/metrics';
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

/** Operation counts and durations by operation name (never by user or token). */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request }) {
      const started = process.hrtime.bigint();
      let type = 'unknown';
      return {
        async didResolveOperation({ operation }) {
          type = operation?.operation ?? 'unknown';
        },
        async willSendResponse({ response, operationName }) {
          const name = operationLabel(operationName ?? request.operationName);
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          metrics.graphqlOperations.inc({ operation: name, type, outcome: errors?.length ? 'error' : 'ok' });
          metrics.graphqlDuration.observe({ operation: name, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
