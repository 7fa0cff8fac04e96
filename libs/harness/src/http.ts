/** One HTTP exchange as the suites record it: status, body, parsed JSON (when it is JSON) and duration. */
export interface Exchange {
  status: number;
  body: string;
  json: GraphqlBody | undefined;
  ms: number;
  /** Set when no answer came (refused connection, reset, timeout). */
  networkError?: string;
  /** The request's body as text (a string body only): what the caller itself sent. */
  sent?: string;
}

export interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

export interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: GraphqlError[];
  code?: string;
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Sends one request and records it; never throws (a network failure is part of the record). */
export async function exchange(request: HttpRequest, timeoutMs = 10_000): Promise<Exchange> {
  const started = performance.now();
  try {
    const res = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    let json: GraphqlBody | undefined;
    try {
      json = JSON.parse(body) as GraphqlBody;
    } catch {
      json = undefined;
    }
    const sent = typeof request.body === 'string' ? request.body : undefined;
    return { status: res.status, body, json, ms: performance.now() - started, sent };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: 0, body: '', json: undefined, ms: performance.now() - started, networkError: message };
  }
}

/** A GraphQL request body as JSON. */
export const graphqlBody = (query: string, variables: Record<string, unknown> = {}): string =>
  JSON.stringify({ query, variables });

/** The GraphQL error codes of an answer. */
export const errorCodes = (e: Exchange): string[] =>
  (Array.isArray(e.json?.errors) ? e.json.errors : []).map((err) => err.extensions?.code ?? 'NO_CODE');

/** A client of the gateway as one tenant (its API key); throws on transport or GraphQL errors. */
export class GatewayClient {
  constructor(
    readonly url: string,
    readonly apiKey: string,
  ) {}

  request(query: string, variables: Record<string, unknown> = {}, timeoutMs?: number): Promise<Exchange> {
    return exchange(
      {
        url: this.url,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
        body: graphqlBody(query, variables),
      },
      timeoutMs,
    );
  }

  /** The data of a request that must succeed. */
  async data<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.request(query, variables);
    if (res.networkError || !res.json?.data || res.json.errors?.length)
      throw new Error(
        `gateway request failed (${res.status}${res.networkError ? `, ${res.networkError}` : ''}): ${res.body.slice(0, 500)}`,
      );
    return res.json.data as T;
  }
}
