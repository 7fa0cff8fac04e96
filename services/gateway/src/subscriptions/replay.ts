import { type EditUpdateView } from '@f2f/contracts';
import { signTenantContext, TENANT_CONTEXT_HEADER } from '@f2f/platform';
import { GraphQLError } from 'graphql';

import type { GatewayContext } from '../auth/request-auth';

const UPDATE_FIELDS = `editId seq type status occurredAt temporalCaption captionProvenance candidate step
  totalSteps framesReady totalFrames frames { candidate index frameId }
  selection { candidate frameIndex policy reason noEdit } metricsMean { name value } failure { code reason } cursor`;

/** A GraphQL request to the edits subgraph as the caller's tenant (signed context). */
async function askEdits<T>(
  editsUrl: string,
  secret: string,
  context: GatewayContext,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const res = await fetch(editsUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': context.requestId,
      [TENANT_CONTEXT_HEADER]: signTenantContext(
        {
          tenantId: context.tenantId,
          scopes: context.scopes,
          keyId: context.keyId,
          requestId: context.requestId,
        },
        secret,
      ),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new GraphQLError(first.message, {
      extensions: { code: first.extensions?.code ?? 'SERVICE_UNAVAILABLE' },
    });
  }
  if (!body.data)
    throw new GraphQLError('the edits service did not answer', {
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  return body.data;
}

/**
 * The feed entries of an edit after `afterSeq`, from the edits subgraph (Edit.updates), asked as
 * the caller's tenant with the signed context: another tenant's edit is "not found".
 */
export async function fetchUpdates(
  editsUrl: string,
  secret: string,
  context: GatewayContext,
  editId: string,
  afterSeq: number,
): Promise<EditUpdateView[]> {
  const data = await askEdits<{ edit: { updates: EditUpdateView[] } | null }>(
    editsUrl,
    secret,
    context,
    `query($id: ID!, $after: Int!) { edit(id: $id) { id updates(afterSeq: $after) { ${UPDATE_FIELDS} } } }`,
    { id: editId, after: afterSeq },
  );
  if (!data.edit) throw new GraphQLError(`no edit ${editId}`, { extensions: { code: 'NOT_FOUND' } });
  return data.edit.updates;
}

export interface TenantFeedPage {
  updates: EditUpdateView[];
  endCursor: string;
  hasMore: boolean;
}

/** A page of the caller's tenant's feed after a feed cursor (Query.editUpdates of edits). */
export async function fetchTenantUpdates(
  editsUrl: string,
  secret: string,
  context: GatewayContext,
  after: string,
  first: number,
): Promise<TenantFeedPage> {
  const data = await askEdits<{ editUpdates: TenantFeedPage }>(
    editsUrl,
    secret,
    context,
    `query($after: String!, $first: Int!) { editUpdates(after: $after, first: $first) {
      updates { ${UPDATE_FIELDS} } endCursor hasMore } }`,
    { after, first },
  );
  return data.editUpdates;
}
