// Every GraphQL operation the page sends, typed by GraphQL Code Generator (scripts/codegen.js
// writes src/gql from the supergraph and schema/subscriptions.graphql: do not edit src/gql).
import { graphql } from '../gql';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      tenantId
      tenantName
      apiKey {
        id
        name
        scopes
      }
    }
  }
`);

export const CreateUploadMutation = graphql(`
  mutation CreateUpload($input: CreateUploadInput!) {
    createUpload(input: $input) {
      id
      url
      method
      headers {
        name
        value
      }
      maxBytes
      expiresAt
    }
  }
`);

export const CreateEditMutation = graphql(`
  mutation CreateEdit($input: CreateEditInput!) {
    createEdit(input: $input) {
      id
      status
    }
  }
`);

export const FrameFields = graphql(`
  fragment FrameFields on Frame {
    id
    candidate
    index
    url
    width
    height
    metrics {
      lpips
      clipI
      clipScore
      ssim
      psnr
    }
  }
`);

export const EditQuery = graphql(`
  query Edit($id: ID!, $candidate: Int) {
    edit(id: $id) {
      id
      status
      targetCaption
      temporalCaption
      captionProvenance
      createdAt
      completedAt
      sourceUrl
      resultUrl
      pathVideoUrl(candidate: $candidate)
      noEdit
      selectionPolicy
      selectionReason
      failure {
        code
        reason
      }
      options {
        model
        frames
        steps
        fps
        seed
        candidates
        captionMode
        selection
        outputWidth
        outputHeight
      }
      progress {
        step
        totalSteps
        framesReady
        totalFrames
      }
      selection {
        policy
        reason
        noEdit
        overridden
        frame {
          id
          candidate
          index
        }
        original {
          policy
          noEdit
          frame {
            id
            candidate
            index
          }
        }
      }
      frames {
        ...FrameFields
      }
      selectionDecision {
        policy
        reason
        candidate
        frameIndex
        noEdit
        collageUrls
        rawAnswers
        vlmModel
        fallbackReason
      }
      history {
        seq
        type
        occurredAt
      }
    }
  }
`);

export const EditUpdatedSubscription = graphql(`
  subscription EditUpdated($id: ID!, $afterSeq: Int) {
    editUpdated(id: $id, afterSeq: $afterSeq) {
      editId
      seq
      type
      status
      occurredAt
      temporalCaption
      candidate
      step
      totalSteps
      framesReady
      totalFrames
      frames {
        candidate
        index
        frameId
      }
      selection {
        candidate
        frameIndex
        policy
        reason
        noEdit
      }
      failure {
        code
        reason
      }
    }
  }
`);

export const SelectFrameMutation = graphql(`
  mutation SelectFrame($editId: ID!, $frameId: ID, $source: Boolean) {
    selectFrame(editId: $editId, frameId: $frameId, source: $source) {
      id
      resultUrl
      noEdit
      selectionPolicy
      selection {
        policy
        overridden
        noEdit
        frame {
          id
          candidate
          index
        }
      }
    }
  }
`);

export const EditsQuery = graphql(`
  query Edits($first: Int!, $after: String, $filter: EditFilter) {
    edits(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          status
          targetCaption
          createdAt
          noEdit
          sourceUrl
          resultUrl
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const AnalyticsQuery = graphql(`
  query Analytics($from: String!, $to: String!) {
    analytics(from: $from, to: $to) {
      total
      byDay {
        day
        count
      }
      stageLatency {
        stage
        edits
        p50Ms
        p95Ms
      }
      overrides {
        completed
        rechosen
        overridden
        share
      }
      noEdit {
        total
        count
        share
      }
    }
  }
`);
