import { exchange, type Exchange, graphqlBody } from '@f2f/harness';
import type { AbuseContext } from './fixtures';
import type { HostileImage } from './images';

export type Category =
  'bomb' | 'svg' | 'polyglot' | 'corrupt' | 'caption' | 'graphql' | 'forgery' | 'cross-tenant';

/**
 * One hostile input: a name to reproduce it by (`npm run abuse -- --only <name>`), what it sends,
 * and, for cross-tenant cases, what would show that it read or changed tenant B's data (beyond
 * the suite's generic checks: no crash, no internal error, no B marker in `data`, under 2 s).
 */
export interface AbuseCase {
  name: string;
  category: Category;
  send(ctx: AbuseContext): Promise<Exchange[]>;
  leaked?(exchanges: Exchange[], ctx: AbuseContext): boolean;
}

/** A GraphQL request through the gateway with a bearer token (A's key unless given). */
export async function gql(
  ctx: AbuseContext,
  query: string,
  variables: Record<string, unknown> = {},
  key: string = ctx.a.key,
): Promise<Exchange[]> {
  return [
    await exchange({
      url: ctx.platform.gatewayUrl,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: graphqlBody(query, variables),
    }),
  ];
}

/** A raw body to the gateway as A (for bodies that are not one well-formed GraphQL request). */
export async function raw(
  ctx: AbuseContext,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Exchange[]> {
  return [
    await exchange({
      url: ctx.platform.gatewayUrl,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.a.key}`, ...headers },
      body,
    }),
  ];
}

export const CREATE_EDIT = `mutation($input: CreateEditInput!) { createEdit(input: $input) { id status } }`;

export const editInput = (input: Record<string, unknown>) => ({
  input: {
    targetCaption: 'A photo of a sitting dog.',
    options: { captionMode: 'TARGET', frames: 5, steps: 4 },
    ...input,
  },
});

/** The image sent inline, as createEdit's imageBase64. */
export const inlineCase = (category: Category, image: HostileImage): AbuseCase => ({
  name: `inline:${image.name}`,
  category,
  send: (ctx) => gql(ctx, CREATE_EDIT, editInput({ imageBase64: image.bytes.toString('base64') })),
});

/** The image sent as an upload (createUpload, PUT to the signed URL), then named by createEdit. */
export const uploadCase = (category: Category, image: HostileImage): AbuseCase => ({
  name: `upload:${image.name}`,
  category,
  send: async (ctx) => {
    const ticket = await gql(ctx, `mutation($i: CreateUploadInput!) { createUpload(input: $i) { id url } }`, {
      i: { contentType: image.contentType, byteSize: Math.max(1, image.bytes.length) },
    });
    const created = ticket[0].json?.data?.createUpload as { id: string; url: string } | undefined;
    if (!created) return ticket;
    const put = await exchange({
      url: created.url,
      method: 'PUT',
      headers: { 'content-type': image.contentType },
      body: image.bytes,
    });
    if (put.status !== 201) return [...ticket, put];
    return [...ticket, put, ...(await gql(ctx, CREATE_EDIT, editInput({ sourceUploadId: created.id })))];
  },
});

/** Both ways in for each image. */
export const imageCases = (category: Category, images: HostileImage[]): AbuseCase[] =>
  images.flatMap((image) => [inlineCase(category, image), uploadCase(category, image)]);
