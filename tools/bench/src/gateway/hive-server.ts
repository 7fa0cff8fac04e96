// Hive Gateway for the gateway benchmark, started by servers.ts as a child process: the runtime of
// @graphql-hive/gateway on the project's supergraph file (SUPERGRAPH_FILE), at PORT, sending every
// subgraph request the same signed tenant context (x-f2f-tenant-context) and x-request-id as the
// project's gateway does with AUTH_DISABLED_TENANT (signed per subgraph request; ours signs once per request).
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';

import { SCOPES, signTenantContext, TENANT_CONTEXT_HEADER } from '@f2f/platform';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`hive-server: ${name} is required`);
  return value;
}

const tenantId = required('TENANT_ID');
const secret = required('TENANT_CONTEXT_SECRET');
const principal = { tenantId, keyId: 'auth-disabled', scopes: [...SCOPES] };

/** The part of @graphql-hive/gateway used here (its own types declare DOM globals that would clash with Node's). */
interface HiveGateway {
  createGatewayRuntime(config: Record<string, unknown>): RequestListener & { dispose(): unknown };
}
const HIVE_GATEWAY = '@graphql-hive/gateway';

async function main(): Promise<void> {
  const { createGatewayRuntime } = (await import(HIVE_GATEWAY)) as HiveGateway;
  const gateway = createGatewayRuntime({
    supergraph: required('SUPERGRAPH_FILE'),
    logging: 'warn',
    landingPage: false,
    graphiql: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }: { request: Request }) => {
        const requestId = request.headers.get('x-request-id') ?? randomUUID();
        return {
          [TENANT_CONTEXT_HEADER]: signTenantContext({ ...principal, requestId }, secret),
          'x-request-id': requestId,
        };
      },
    },
  });
  const server = createServer(gateway);
  server.listen(Number(required('PORT')), '127.0.0.1');
  const stop = () =>
    server.close(() => void Promise.resolve(gateway.dispose()).finally(() => process.exit(0)));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error('hive-server:', error);
  process.exit(1);
});
