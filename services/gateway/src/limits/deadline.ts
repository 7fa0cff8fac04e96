import type { ApolloServerPlugin } from '@apollo/server';
import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';

import type { GatewayContext } from '../auth/request-auth';

/** The code of a request that ran past REQUEST_TIMEOUT_MS (HTTP 504). */
export const REQUEST_TIMEOUT = 'REQUEST_TIMEOUT';

/**
 * A subgraph data source whose calls end when the request's deadline passes: the fetch gets the
 * request's AbortSignal (the subgraph sees the connection close), and a call that would start
 * after the deadline does not start.
 */
export class DeadlineDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const signal = (options.context as Partial<GatewayContext>).deadline;
    if (!signal) return super.process(options);
    signal.throwIfAborted();
    const fetcher = this.fetcher;
    // The library's own processing (headers, parsing, errors), with a fetcher bound to this signal.
    const bound = Object.create(this, {
      fetcher: { value: ((url, init) => fetcher(url, { ...init, signal })) as typeof fetcher },
    }) as this;
    return RemoteGraphQLDataSource.prototype.process.call(bound, options);
  }
}

/**
 * Answers a request whose deadline passed with REQUEST_TIMEOUT and HTTP 504 (its subgraph calls
 * were aborted, so whatever they left is incomplete), instead of the partial result.
 */
export function deadlinePlugin(timeoutMs: number): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: async () => ({
      willSendResponse: async ({ contextValue, response }) => {
        if (!contextValue.deadline?.aborted) return;
        response.http.status = 504;
        response.body = {
          kind: 'single',
          singleResult: {
            errors: [
              {
                message: `the request ran past its ${timeoutMs} ms deadline and was stopped; a mutation in it may have been applied`,
                extensions: { code: REQUEST_TIMEOUT, timeoutMs },
              },
            ],
          },
        };
      },
    }),
  };
}
