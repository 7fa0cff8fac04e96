import { type EditUpdateView } from '@f2f/contracts';
import { signTenantContext, TENANT_CONTEXT_HEADER } from '@f2f/platform';
import { GraphQLError } from 'graphql';

import type { GatewayContext } from '../auth/request-auth';

const UPDATE_FIELDS = `editId seq type status occurredAt temporalCaption captionProvenance candidate step
  totalSteps framesReady totalFrames frames { candidate index frameId }
  selection { candidate frameIndex policy reason noEdit } metricsMean { name value } failure { code reason }`;

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
    body: JSON.stringify({
      query: `query($id: ID!, $after: Int!) { edit(id: $id) { id updates(afterSeq: $after) { ${UPDATE_FIELDS} } } }`,
      variables: { id: editId, after: afterSeq },
    }),
  });
  const body = (await res.json()) as {
    data?: { edit: { updates: EditUpdateView[] } | null };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new GraphQLError(first.message, {
      extensions: { code: first.extensions?.code ?? 'SERVICE_UNAVAILABLE' },
    });
  }
  if (!body.data?.edit) throw new GraphQLError(`no edit ${editId}`, { extensions: { code: 'NOT_FOUND' } });
  return body.data.edit.updates;
}
