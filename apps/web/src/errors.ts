import type { CombinedError } from 'urql';

/** An API error as a person reads it: the message, and the code the API gave (extensions.code). */
export function describeError(error: CombinedError | Error | undefined | null): string | null {
  if (!error) return null;
  const gql = 'graphQLErrors' in error ? error.graphQLErrors : [];
  if (gql.length > 0) {
    return gql
      .map((e) => {
        const code = typeof e.extensions?.code === 'string' ? e.extensions.code : null;
        return code ? `${e.message} (${code})` : e.message;
      })
      .join('; ');
  }
  if ('networkError' in error && error.networkError) return `network: ${error.networkError.message}`;
  return error.message;
}
