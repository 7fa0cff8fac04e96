/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type ApiKeyScope =
  /** The tenant's API keys. */
  | 'ADMIN'
  /** Queries. */
  | 'READ'
  /** Mutations. */
  | 'WRITE';

export type CaptionMode =
  | 'TARGET'
  | 'TEMPORAL';

export type CreateEditInput = {
  /** A ground-truth target image (the PosEdit protocol), base64 like the source: metrics then also compare every frame to it. */
  groundTruthBase64?: string | null | undefined;
  /** An upload (purpose GROUND_TRUTH) holding the ground-truth image, instead of groundTruthBase64. */
  groundTruthUploadId?: string | null | undefined;
  /**
   * Makes the request safe to repeat: 1..200 visible ASCII characters, unique per tenant. A repeat
   * with the same key and the same request returns the first edit (nothing new is stored or
   * published); the same key with another image, caption or options is a CONFLICT.
   */
  idempotencyKey?: string | null | undefined;
  /** The source image (JPEG, PNG or WebP) as base64, optionally as a data: URL. Give this or sourceUploadId. */
  imageBase64?: string | null | undefined;
  options?: EditOptionsInput | null | undefined;
  /** An upload of the caller's tenant (createUpload, then the PUT) that holds the source image; it is used up by the edit. */
  sourceUploadId?: string | null | undefined;
  /** What the edited image should show, e.g. "A photo of a sitting dog." */
  targetCaption: string;
};

export type CreateUploadInput = {
  /** The image's size in bytes: the PUT's Content-Length may not exceed it. */
  byteSize: number;
  /** image/png, image/jpeg or image/webp: the PUT must send this Content-Type, and the bytes must be of this type. */
  contentType: string;
  /** What the image is for: the edit's source (default) or its ground truth. */
  purpose?: UploadPurpose | null | undefined;
};

export type EditFilter = {
  /** Target captions containing this text, ignoring case (1..200 characters). */
  captionContains?: string | null | undefined;
  /** Created at or after (ISO 8601). */
  createdAfter?: string | null | undefined;
  /** Created before (ISO 8601). */
  createdBefore?: string | null | undefined;
  /** The video model, exactly. */
  model?: string | null | undefined;
  /** The current selection policy: vlm, last-frame, metric or user. */
  selectionPolicy?: string | null | undefined;
  /** Any of these statuses. */
  status?: Array<EditStatus> | null | undefined;
};

/** Generation options; the defaults are the paper's (CogVideoX-5B-I2V). */
export type EditOptionsInput = {
  /** Videos to generate from different seeds (1..8), spread across the GPU pool. */
  candidates?: number | null | undefined;
  /** TEMPORAL (default): a VLM writes the paper's temporal editing caption; TARGET: the target caption as it is. */
  captionMode?: CaptionMode | null | undefined;
  fps?: number | null | undefined;
  frames?: number | null | undefined;
  guidance?: number | null | undefined;
  model?: string | null | undefined;
  outputHeight?: number | null | undefined;
  /** Size of the edited frames; the source's size when absent (512×512 in the paper's benchmarks). */
  outputWidth?: number | null | undefined;
  /** The first candidate's seed; candidate k uses seed + k. */
  seed?: number | null | undefined;
  /** VLM (default): a VLM picks the earliest frame that fulfils the edit from a collage; LAST_FRAME: the last frame; METRIC: from CLIP score and LPIPS. */
  selection?: SelectionPolicy | null | undefined;
  steps?: number | null | undefined;
};

export type EditStatus =
  | 'CANCELLED'
  | 'CAPTIONING'
  | 'COMPLETED'
  | 'FAILED'
  | 'GENERATING'
  | 'SELECTING'
  | 'SUBMITTED';

export type SelectionPolicy =
  | 'LAST_FRAME'
  /** The earliest frame whose CLIP score reaches the path's plateau while its LPIPS to the source stays under a bound. */
  | 'METRIC'
  | 'VLM';

export type UploadPurpose =
  | 'GROUND_TRUTH'
  | 'SOURCE';

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { tenantId: string, tenantName: string, apiKey: { id: string, name: string, scopes: Array<ApiKeyScope> } } };

export type CreateUploadMutationVariables = Exact<{
  input: CreateUploadInput;
}>;


export type CreateUploadMutation = { createUpload: { id: string, url: string, method: string, maxBytes: number, expiresAt: string, headers: Array<{ name: string, value: string }> } };

export type CreateEditMutationVariables = Exact<{
  input: CreateEditInput;
}>;


export type CreateEditMutation = { createEdit: { id: string, status: EditStatus } };

export type FrameFieldsFragment = { id: string, candidate: number, index: number, url: string, width: number, height: number, metrics: { lpips: number | null, clipI: number | null, clipScore: number | null, ssim: number, psnr: number } | null };

export type EditQueryVariables = Exact<{
  id: string;
  candidate?: number | null | undefined;
}>;


export type EditQuery = { edit: { id: string, status: EditStatus, targetCaption: string, temporalCaption: string | null, captionProvenance: string | null, createdAt: string, completedAt: string | null, sourceUrl: string, resultUrl: string | null, pathVideoUrl: string | null, noEdit: boolean, selectionPolicy: string | null, selectionReason: string | null, failure: { code: string, reason: string } | null, options: { model: string, frames: number, steps: number, fps: number, seed: number, candidates: number, captionMode: CaptionMode, selection: SelectionPolicy, outputWidth: number | null, outputHeight: number | null }, progress: { step: number, totalSteps: number, framesReady: number, totalFrames: number }, selection: { policy: string, reason: string | null, noEdit: boolean, overridden: boolean, frame: { id: string, candidate: number, index: number } | null, original: { policy: string, noEdit: boolean, frame: { id: string, candidate: number, index: number } | null } } | null, frames: Array<{ id: string, candidate: number, index: number, url: string, width: number, height: number, metrics: { lpips: number | null, clipI: number | null, clipScore: number | null, ssim: number, psnr: number } | null }>, selectionDecision: { policy: string, reason: string, candidate: number | null, frameIndex: number | null, noEdit: boolean, collageUrls: Array<string>, rawAnswers: Array<string>, vlmModel: string | null, fallbackReason: string | null } | null, history: Array<{ seq: number, type: string, occurredAt: string }> } | null };

export type EditUpdatedSubscriptionVariables = Exact<{
  id: string;
  afterSeq?: number | null | undefined;
}>;


export type EditUpdatedSubscription = { editUpdated: { editId: string, seq: number, type: string, status: EditStatus, occurredAt: string, temporalCaption: string | null, candidate: number | null, step: number | null, totalSteps: number | null, framesReady: number | null, totalFrames: number | null, frames: Array<{ candidate: number, index: number, frameId: string }>, selection: { candidate: number | null, frameIndex: number | null, policy: string, reason: string, noEdit: boolean } | null, failure: { code: string, reason: string } | null } };

export type SelectFrameMutationVariables = Exact<{
  editId: string;
  frameId?: string | null | undefined;
  source?: boolean | null | undefined;
}>;


export type SelectFrameMutation = { selectFrame: { id: string, resultUrl: string | null, noEdit: boolean, selectionPolicy: string | null, selection: { policy: string, overridden: boolean, noEdit: boolean, frame: { id: string, candidate: number, index: number } | null } | null } };

export type EditsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: EditFilter | null | undefined;
}>;


export type EditsQuery = { edits: { edges: Array<{ cursor: string, node: { id: string, status: EditStatus, targetCaption: string, createdAt: string, noEdit: boolean, sourceUrl: string, resultUrl: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AnalyticsQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type AnalyticsQuery = { analytics: { total: number, byDay: Array<{ day: string, count: number }>, stageLatency: Array<{ stage: string, edits: number, p50Ms: number | null, p95Ms: number | null }>, overrides: { completed: number, rechosen: number, overridden: number, share: number | null }, noEdit: { total: number, count: number, share: number | null } } };

export const FrameFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FrameFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Frame"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}},{"kind":"Field","name":{"kind":"Name","value":"metrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lpips"}},{"kind":"Field","name":{"kind":"Name","value":"clipI"}},{"kind":"Field","name":{"kind":"Name","value":"clipScore"}},{"kind":"Field","name":{"kind":"Name","value":"ssim"}},{"kind":"Field","name":{"kind":"Name","value":"psnr"}}]}}]}}]} as unknown as DocumentNode<FrameFieldsFragment, unknown>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantName"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const CreateUploadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateUpload"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateUploadInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createUpload"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"headers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"maxBytes"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<CreateUploadMutation, CreateUploadMutationVariables>;
export const CreateEditDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateEdit"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateEditInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createEdit"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<CreateEditMutation, CreateEditMutationVariables>;
export const EditDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Edit"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"candidate"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edit"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"targetCaption"}},{"kind":"Field","name":{"kind":"Name","value":"temporalCaption"}},{"kind":"Field","name":{"kind":"Name","value":"captionProvenance"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"sourceUrl"}},{"kind":"Field","name":{"kind":"Name","value":"resultUrl"}},{"kind":"Field","name":{"kind":"Name","value":"pathVideoUrl"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"candidate"},"value":{"kind":"Variable","name":{"kind":"Name","value":"candidate"}}}]},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}},{"kind":"Field","name":{"kind":"Name","value":"selectionPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"selectionReason"}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"options"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"frames"}},{"kind":"Field","name":{"kind":"Name","value":"steps"}},{"kind":"Field","name":{"kind":"Name","value":"fps"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}},{"kind":"Field","name":{"kind":"Name","value":"candidates"}},{"kind":"Field","name":{"kind":"Name","value":"captionMode"}},{"kind":"Field","name":{"kind":"Name","value":"selection"}},{"kind":"Field","name":{"kind":"Name","value":"outputWidth"}},{"kind":"Field","name":{"kind":"Name","value":"outputHeight"}}]}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"totalSteps"}},{"kind":"Field","name":{"kind":"Name","value":"framesReady"}},{"kind":"Field","name":{"kind":"Name","value":"totalFrames"}}]}},{"kind":"Field","name":{"kind":"Name","value":"selection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policy"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}},{"kind":"Field","name":{"kind":"Name","value":"overridden"}},{"kind":"Field","name":{"kind":"Name","value":"frame"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"index"}}]}},{"kind":"Field","name":{"kind":"Name","value":"original"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policy"}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}},{"kind":"Field","name":{"kind":"Name","value":"frame"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"index"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"frames"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FrameFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"selectionDecision"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policy"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"frameIndex"}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}},{"kind":"Field","name":{"kind":"Name","value":"collageUrls"}},{"kind":"Field","name":{"kind":"Name","value":"rawAnswers"}},{"kind":"Field","name":{"kind":"Name","value":"vlmModel"}},{"kind":"Field","name":{"kind":"Name","value":"fallbackReason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"history"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FrameFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Frame"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}},{"kind":"Field","name":{"kind":"Name","value":"metrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lpips"}},{"kind":"Field","name":{"kind":"Name","value":"clipI"}},{"kind":"Field","name":{"kind":"Name","value":"clipScore"}},{"kind":"Field","name":{"kind":"Name","value":"ssim"}},{"kind":"Field","name":{"kind":"Name","value":"psnr"}}]}}]}}]} as unknown as DocumentNode<EditQuery, EditQueryVariables>;
export const EditUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"EditUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"editUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"afterSeq"},"value":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"editId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"temporalCaption"}},{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"totalSteps"}},{"kind":"Field","name":{"kind":"Name","value":"framesReady"}},{"kind":"Field","name":{"kind":"Name","value":"totalFrames"}},{"kind":"Field","name":{"kind":"Name","value":"frames"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"frameId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"selection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"frameIndex"}},{"kind":"Field","name":{"kind":"Name","value":"policy"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}}]}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<EditUpdatedSubscription, EditUpdatedSubscriptionVariables>;
export const SelectFrameDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SelectFrame"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"editId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"frameId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"source"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"selectFrame"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"editId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"editId"}}},{"kind":"Argument","name":{"kind":"Name","value":"frameId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"frameId"}}},{"kind":"Argument","name":{"kind":"Name","value":"source"},"value":{"kind":"Variable","name":{"kind":"Name","value":"source"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"resultUrl"}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}},{"kind":"Field","name":{"kind":"Name","value":"selectionPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"selection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policy"}},{"kind":"Field","name":{"kind":"Name","value":"overridden"}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}},{"kind":"Field","name":{"kind":"Name","value":"frame"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"candidate"}},{"kind":"Field","name":{"kind":"Name","value":"index"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SelectFrameMutation, SelectFrameMutationVariables>;
export const EditsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Edits"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"EditFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edits"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"targetCaption"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"}},{"kind":"Field","name":{"kind":"Name","value":"sourceUrl"}},{"kind":"Field","name":{"kind":"Name","value":"resultUrl"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<EditsQuery, EditsQueryVariables>;
export const AnalyticsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Analytics"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"analytics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"byDay"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"stageLatency"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"edits"}},{"kind":"Field","name":{"kind":"Name","value":"p50Ms"}},{"kind":"Field","name":{"kind":"Name","value":"p95Ms"}}]}},{"kind":"Field","name":{"kind":"Name","value":"overrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"rechosen"}},{"kind":"Field","name":{"kind":"Name","value":"overridden"}},{"kind":"Field","name":{"kind":"Name","value":"share"}}]}},{"kind":"Field","name":{"kind":"Name","value":"noEdit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"share"}}]}}]}}]}}]} as unknown as DocumentNode<AnalyticsQuery, AnalyticsQueryVariables>;