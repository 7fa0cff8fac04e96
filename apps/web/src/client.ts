import { createClient as createWsClient } from 'graphql-ws';
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from 'urql';

import { apiUrls } from './config';

/**
 * The page's GraphQL client: queries and mutations over HTTP, subscriptions over graphql-ws (the
 * gateway's /graphql), both with the API key. The socket reconnects by itself and an edit's feed
 * resumes after the last sequence number it saw, so nothing is missed.
 */
export function makeClient(apiKey: string, urls = apiUrls()): { client: Client; dispose: () => void } {
  const ws = createWsClient({
    url: urls.ws,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    lazy: true,
  });
  const client = new Client({
    url: urls.http,
    requestPolicy: 'cache-and-network',
    // POST always: the gateway refuses GET queries without a preflight header (CSRF prevention).
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${apiKey}` } }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const variables: Record<string, unknown> = { ...request.variables };
          const input = { ...request, query: request.query ?? '', variables };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, {
                next(result) {
                  // graphql-ws sends this same payload again when it reconnects: with afterSeq set
                  // to the last entry seen, the feed resumes right after it.
                  const seq = (result.data as { editUpdated?: { seq?: unknown } } | null)?.editUpdated?.seq;
                  if ('afterSeq' in variables && typeof seq === 'number') variables.afterSeq = seq;
                  sink.next(result as Parameters<typeof sink.next>[0]);
                },
                error: (error) => sink.error(error),
                complete: () => sink.complete(),
              });
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
