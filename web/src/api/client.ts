import { Client, fetchExchange, subscriptionExchange, type AnyVariables, type CombinedError } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { ApiError, toApiError } from './errors';

/**
 * One urql client per signed-in session: queries and mutations over HTTP POST, subscriptions over
 * graphql-ws on the same /graphql path, the token as `Authorization` on both (connectionParams for
 * the socket). Nothing is cached: every view reads fresh data, as any dashboard of the API would.
 */
export class Api {
  private readonly ws: WsClient;
  private readonly client: Client;

  constructor(
    token: string,
    private readonly onUnauthenticated: () => void,
  ) {
    const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    this.ws = createWsClient({
      url: wsUrl,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: true,
      retryAttempts: 5,
    });
    this.client = new Client({
      url: '/graphql',
      preferGetMethod: false,
      requestPolicy: 'network-only',
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
      exchanges: [
        fetchExchange,
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: this.ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
  }

  /** Runs a query; throws ApiError (with the API's code) on any error. */
  async query<T>(document: string, variables: AnyVariables = {}): Promise<T> {
    const r = await this.client.query<T>(document, variables).toPromise();
    return this.unwrap(r.data, r.error);
  }

  async mutate<T>(document: string, variables: AnyVariables = {}): Promise<T> {
    const r = await this.client.mutation<T>(document, variables).toPromise();
    return this.unwrap(r.data, r.error);
  }

  /**
   * Subscribes; `onData` gets each event, `onError` the first error (the subscription then ends).
   * Returns the function that unsubscribes (which also aborts a streaming completion upstream).
   */
  subscribe<T>(
    document: string,
    variables: AnyVariables,
    onData: (data: T) => void,
    onError: (err: ApiError) => void,
  ): () => void {
    const { unsubscribe } = this.client.subscription<T>(document, variables).subscribe((r) => {
      if (r.error) {
        const err = toApiError(r.error);
        if (err.code === 'UNAUTHENTICATED') this.onUnauthenticated();
        onError(err);
      } else if (r.data) {
        onData(r.data);
      }
    });
    return unsubscribe;
  }

  async close(): Promise<void> {
    // dispose() waits for a pending connection; one the server refused (a revoked token) has
    // nothing left to close, and its rejection must not surface as an unhandled error.
    await Promise.resolve(this.ws.dispose()).catch(() => undefined);
  }

  private unwrap<T>(data: T | undefined, error: CombinedError | undefined): T {
    if (error) {
      const err = toApiError(error);
      if (err.code === 'UNAUTHENTICATED') this.onUnauthenticated();
      throw err;
    }
    if (data === undefined) throw new ApiError('INTERNAL_SERVER_ERROR', 'The API returned no data.');
    return data;
  }
}
