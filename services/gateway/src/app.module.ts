import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import type { Logger } from '@f2f/common';
import { createKafka } from '@f2f/messaging';
import { SCOPES, signTenantContext, TENANT_CONTEXT_HEADER } from '@f2f/platform';
import { graphqlMetricsPlugin, injectTraceContext, stopTracing } from '@f2f/telemetry';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloGatewayDriver, type ApolloGatewayDriverConfig } from '@nestjs/apollo';
import { Controller, type DynamicModule, Get, Module, type OnApplicationShutdown } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import nodeFetch from 'node-fetch';
import { GraphQLError, type GraphQLFormattedError, Kind, parse, type ValidationRule } from 'graphql';

import { ApiKeyResolver } from './auth/api-key-resolver';
import { authenticate, checkScopes, type GatewayContext } from './auth/request-auth';
import { type GatewayConfig, introspectionEnabled } from './config';
import { DeadlineDataSource, deadlinePlugin } from './limits/deadline';
import { fieldCostsOf } from './limits/field-costs';
import { mutationLimit, TOO_MANY_MUTATIONS } from './limits/mutation-limits';
import { costLimit, depthLimit, QUERY_TOO_COMPLEX, QUERY_TOO_DEEP } from './limits/query-limits';
import { RateLimiter } from './limits/rate-limiter';
import { EditFeed } from './subscriptions/edit-feed';
import { fetchTenantUpdates, fetchUpdates } from './subscriptions/replay';
import { subscriptionSchema } from './subscriptions/subscription-schema';
import {
  SUBSCRIPTIONS,
  type SubscriptionsSetup,
  SubscriptionsServer,
} from './subscriptions/subscriptions.server';
import { loadSupergraph } from './supergraph';
import { EditsTransfersClient } from './transfers/edits-transfers.client';
import { TRANSFERS, TransfersController, type TransfersSetup } from './transfers/transfers.controller';

@Controller()
class HealthController {
  /** Liveness and readiness: the gateway holds no state of its own (its subgraphs report theirs). */
  @Get(['health', 'health/live', 'health/ready'])
  health(): { status: string } {
    return { status: 'ok' };
  }
}

/** Flushes the last spans when the gateway stops. */
class TracingShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopTracing();
  }
}

const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/**
 * Once the operation is known: a document whose operation cannot be told (several without an
 * operationName, or an unknown name) and a subscription sent over HTTP are the client's mistakes,
 * answered 400 before the gateway plans anything (its planner would report them as a 500); then
 * the operation's scopes are checked against the caller's key.
 */
const operationPlugin: ApolloServerPlugin<GatewayContext> = {
  requestDidStart: async () => ({
    didResolveOperation: async ({ contextValue, operation, document, request }) => {
      if (!operation) {
        throw badRequest(
          request.operationName
            ? `the document has no operation named "${request.operationName}"`
            : 'the document has several operations: name the one to run in operationName',
        );
      }
      if (operation.operation === 'subscription') {
        throw badRequest(
          'subscriptions are served over graphql-ws (a WebSocket at this path), not over HTTP',
        );
      }
      checkScopes(contextValue, operation, document);
    },
  }),
};

const LIMIT_CODES: ReadonlySet<unknown> = new Set([QUERY_TOO_DEEP, QUERY_TOO_COMPLEX, TOO_MANY_MUTATIONS]);

/**
 * Keeps the codes of the query limits (Apollo reports every validation error as
 * GRAPHQL_VALIDATION_FAILED), and reports a document over MAX_QUERY_TOKENS as QUERY_TOO_COMPLEX.
 */
function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    if (original instanceof GraphQLError) {
      const code = original.extensions.code;
      if (LIMIT_CODES.has(code))
        return { ...formatted, extensions: { ...formatted.extensions, ...original.extensions, code } };
    }
    // graphql-js words it "more that N tokens".
    const tokens = /Document contains more tha[nt] (\d+) tokens/.exec(formatted.message);
    if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && tokens) {
      const maxTokens = Number(tokens[1]);
      return {
        message: `the operation has more than ${maxTokens} tokens; at most ${maxTokens} are allowed`,
        extensions: { code: QUERY_TOO_COMPLEX, maxTokens },
      };
    }
    if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR')
      logger.error({ err: original ?? error }, 'unexpected GraphQL error');
    return formatted;
  };
}

/** The per-field mutation limits, once their names are checked against the supergraph's Mutation type. */
function checkMutationFields(
  supergraphSdl: string,
  limits: ReadonlyMap<string, number>,
): ReadonlyMap<string, number> {
  const mutation = parse(supergraphSdl).definitions.find(
    (d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Mutation',
  );
  const fields = new Set(
    mutation?.kind === Kind.OBJECT_TYPE_DEFINITION ? (mutation.fields ?? []).map((f) => f.name.value) : [],
  );
  const unknown = [...limits.keys()].filter((name) => !fields.has(name));
  if (unknown.length > 0)
    throw new Error(
      `MUTATION_FIELD_LIMITS names ${unknown.join(', ')}, which the supergraph's Mutation type lacks`,
    );
  return limits;
}

/** The subgraphs the supergraph names, by name, at the URLs the configuration gives. */
function subgraphUrls(config: GatewayConfig): Record<string, string> {
  return {
    edits: config.EDITS_URL,
    captioning: config.CAPTIONING_URL,
    'frame-selection': config.FRAME_SELECTION_URL,
    metrics: config.METRICS_URL,
    webhooks: config.WEBHOOKS_URL,
  };
}

/** Depth, cost and mutation limits: the same rules for HTTP operations and subscriptions. */
function queryLimitRules(config: GatewayConfig, supergraphSdl: string): ValidationRule[] {
  return [
    depthLimit(config.MAX_QUERY_DEPTH),
    costLimit({
      maxCost: config.MAX_QUERY_COST,
      listSize: config.QUERY_COST_LIST_SIZE,
      mutationCost: config.QUERY_COST_MUTATION,
      costs: fieldCostsOf(supergraphSdl),
    }),
    mutationLimit({
      maxFields: config.MAX_MUTATIONS_PER_REQUEST,
      perField: checkMutationFields(supergraphSdl, config.MUTATION_FIELD_LIMITS),
    }),
  ];
}

/** Who the caller is (API key, rate limit), shared by HTTP requests and graphql-ws connections. */
type Authenticate = (
  headers: Parameters<typeof authenticate>[0],
  requestId: string,
) => Promise<GatewayContext>;

/** AUTH_DISABLED_TENANT (benchmarks): every caller acts for that tenant, with every scope and no rate limit. */
function authDisabled(tenantId: string, logger: Logger): Authenticate {
  logger.warn(
    { tenantId },
    'AUTH_DISABLED_TENANT is set: API keys are not checked, every request acts for this tenant',
  );
  const principal = { tenantId, keyId: 'auth-disabled', scopes: [...SCOPES] };
  return (_headers, requestId) => Promise.resolve({ ...principal, requestId });
}

/** The subscriptions over graphql-ws: the edit status feed from Kafka, replayed from edits. */
function subscriptionsSetup(
  config: GatewayConfig,
  logger: Logger,
  supergraphSdl: string,
  auth: Authenticate,
  validationRules: ValidationRule[],
): SubscriptionsSetup {
  const feed = new EditFeed(
    createKafka({
      clientId: 'gateway',
      brokers: config.KAFKA_BROKERS,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      logger,
    }),
    config.KAFKA_TOPIC_PREFIX,
    logger.child({ component: 'edit-feed' }),
  );
  return {
    feed,
    schema: subscriptionSchema(
      supergraphSdl,
      feed,
      {
        edit: (context, editId, afterSeq) =>
          fetchUpdates(config.EDITS_URL, config.TENANT_CONTEXT_SECRET, context, editId, afterSeq),
        tenant: (context, after, first) =>
          fetchTenantUpdates(config.EDITS_URL, config.TENANT_CONTEXT_SECRET, context, after, first),
      },
      {
        lookbackMs: config.FEED_REPLAY_LOOKBACK_MS,
        maxAgeMs: config.FEED_REPLAY_MAX_AGE_S * 1000,
        pageSize: 200,
      },
    ),
    authenticate: auth,
    validationRules,
    logger,
  };
}

/** A request's context: its id (the client's x-request-id when well formed), caller and deadline. */
function requestContext(config: GatewayConfig, auth: Authenticate) {
  return ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    return auth(req.headers, requestId).then((context): GatewayContext => ({
      ...context,
      deadline: AbortSignal.timeout(config.REQUEST_TIMEOUT_MS),
    }));
  };
}

/**
 * The caller's signed tenant context, signed once per request (a request calls several subgraphs,
 * e.g. edits, metrics and frame-selection for the edit page).
 */
function tenantContextSigner(secret: string) {
  const signed = new WeakMap<GatewayContext, string>();
  return (context: GatewayContext): string => {
    let token = signed.get(context);
    if (token === undefined) {
      const { tenantId, scopes, keyId, requestId } = context;
      token = signTenantContext({ tenantId, scopes, keyId, requestId }, secret);
      signed.set(context, token);
    }
    return token;
  };
}

/**
 * The data source of each subgraph: the request's deadline, and the caller as a signed context.
 * Subgraph calls go through node-fetch on kept-alive agents: the library's default fetcher,
 * make-fetch-happen, took about a sixth of the gateway's CPU time in a profile (a retry wrapper,
 * agent lookups that build stack traces, a stream layer); tools/bench's gateway part has the A/B.
 */
function subgraphService(config: GatewayConfig) {
  const urls = subgraphUrls(config);
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const subgraphFetch = ((url: string, init: RequestInit) =>
    nodeFetch(url, {
      ...init,
      agent: (u: URL) => (u.protocol === 'http:' ? agents.http : agents.https),
    } as never)) as unknown as RemoteGraphQLDataSource['fetcher'];
  const tenantContext = tenantContextSigner(config.TENANT_CONTEXT_SECRET);
  return ({ name }: { name: string }) => {
    const url = urls[name];
    if (!url) throw new Error(`the supergraph names a subgraph "${name}" this gateway has no URL for`);
    return new DeadlineDataSource({
      url,
      fetcher: subgraphFetch,
      willSendRequest: ({ request, context }) => {
        // The gateway alone says who the caller is, signed; a client's own headers never pass.
        request.http?.headers.set(TENANT_CONTEXT_HEADER, tenantContext(context as GatewayContext));
        request.http?.headers.set('x-request-id', context.requestId);
        // The subgraph continues this request's trace (the gateway's fetch span is active here).
        injectTraceContext((key, value) => request.http?.headers.set(key, value));
      },
    });
  };
}

/** The federated gateway over HTTP at /graphql. */
function gatewayGraphQLModule(
  config: GatewayConfig,
  logger: Logger,
  supergraphSdl: string,
  auth: Authenticate,
  validationRules: ValidationRule[],
): DynamicModule {
  return GraphQLModule.forRoot<ApolloGatewayDriverConfig>({
    driver: ApolloGatewayDriver,
    server: {
      path: '/graphql',
      csrfPrevention: true,
      includeStacktraceInErrorResponses: false,
      introspection: introspectionEnabled(config),
      validationRules,
      parseOptions: { maxTokens: config.MAX_QUERY_TOKENS },
      plugins: [operationPlugin, deadlinePlugin(config.REQUEST_TIMEOUT_MS), graphqlMetricsPlugin()],
      formatError: formatError(logger),
      context: requestContext(config, auth),
    },
    gateway: { supergraphSdl, buildService: subgraphService(config) },
  });
}

/** Uploads and downloads through signed URLs, with a rate limit of their own. */
function transfersSetup(config: GatewayConfig, logger: Logger): TransfersSetup {
  return {
    client: new EditsTransfersClient(config.EDITS_URL),
    secret: config.SIGNED_URL_SECRET,
    limiter: new RateLimiter(config.TRANSFER_RATE_LIMIT_PER_SECOND, config.TRANSFER_RATE_LIMIT_BURST),
    logger: logger.child({ component: 'transfers' }),
  };
}

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    const keys = new ApiKeyResolver({
      editsUrl: config.EDITS_URL,
      secret: config.TENANT_CONTEXT_SECRET,
      cacheTtlMs: config.AUTH_CACHE_TTL_MS,
    });
    const limiter = new RateLimiter(config.RATE_LIMIT_PER_SECOND, config.RATE_LIMIT_BURST);
    const auth: Authenticate = config.AUTH_DISABLED_TENANT
      ? authDisabled(config.AUTH_DISABLED_TENANT, logger)
      : (headers, requestId) => authenticate(headers, requestId, keys, limiter);
    const supergraphSdl = loadSupergraph();
    const validationRules = queryLimitRules(config, supergraphSdl);
    return {
      module: AppModule,
      controllers: [HealthController, TransfersController],
      imports: [gatewayGraphQLModule(config, logger, supergraphSdl, auth, validationRules)],
      providers: [
        {
          provide: SUBSCRIPTIONS,
          useValue: subscriptionsSetup(config, logger, supergraphSdl, auth, validationRules),
        },
        { provide: TRANSFERS, useValue: transfersSetup(config, logger) },
        SubscriptionsServer,
        TracingShutdown,
      ],
    };
  }
}
