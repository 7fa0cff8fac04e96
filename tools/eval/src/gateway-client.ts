import { type FrameMetrics, METRIC_FIELDS, type MetricField } from './model';
import type { Provenance } from './provenance';

/** The gateway could not be reached or answered something that is not GraphQL. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
}

/** GraphQL errors of one request (e.g. the platform refused an input: INVALID_IMAGE, BAD_USER_INPUT). */
export class GraphqlRequestError extends Error {
  override readonly name = 'GraphqlRequestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CreateEditRequest {
  imageBase64: string;
  targetCaption: string;
  groundTruthBase64: string | null;
  options: {
    captionMode: 'TEMPORAL' | 'TARGET';
    selection: 'VLM' | 'LAST_FRAME' | 'METRIC';
    seed: number;
    candidates: number;
    outputWidth: number;
    outputHeight: number;
  };
}

export interface FrameView {
  index: number;
  candidate: number;
  metrics: FrameMetrics | null;
  /** The learned metrics' model set (FrameMetrics.models), when the platform serves it. */
  metricModels: string | null;
}

export interface EditView {
  id: string;
  status: string;
  noEdit: boolean;
  failure: { code: string; reason: string } | null;
  selectedFrame: FrameView | null;
  /** Candidate 0's frames, in index order (only asked for once the edit is terminal). */
  frames: FrameView[];
  /** How the edit was made; absent when the platform's schema does not serve it. */
  provenance?: Provenance | null;
}

/** The Edit fields provenance is read from (edits, captioning and frame-selection subgraphs). */
const PROVENANCE_QUERY = `options { model }
  caption { provenance promptVersion exampleSet fallbackReason }
  selectionDecision { policy fallbackReason }
  history { type payload }`;

interface ProvenanceFields {
  options?: { model: string | null } | null;
  caption?: {
    provenance: string;
    promptVersion: string | null;
    exampleSet: string | null;
    fallbackReason: string | null;
  } | null;
  selectionDecision?: { policy: string; fallbackReason: string | null } | null;
  history?: { type: string; payload: string }[] | null;
}

/** The edit's provenance from its options, caption, selection decision and video.generated event. */
export function provenanceOf(edit: ProvenanceFields): Provenance {
  let generator: string | null = null;
  const generated = (edit.history ?? []).filter((e) => e.type === 'video.generated').at(-1);
  if (generated) {
    try {
      const payload = JSON.parse(generated.payload) as {
        generator?: unknown;
        payload?: { generator?: unknown };
      };
      const g = payload.generator ?? payload.payload?.generator;
      generator = typeof g === 'string' ? g : null;
    } catch {
      generator = null;
    }
  }
  return {
    model: edit.options?.model ?? null,
    generator,
    captionProvenance: edit.caption?.provenance ?? null,
    exampleSet: edit.caption?.exampleSet ?? null,
    promptVersion: edit.caption?.promptVersion ?? null,
    captionFallback: edit.caption?.fallbackReason ?? null,
    selectionPolicy: edit.selectionDecision?.policy ?? null,
    selectionFallback: edit.selectionDecision?.fallbackReason ?? null,
  };
}

/** What scoreImages answers for one item. */
export interface ScoredImage {
  models: string;
  lpipsSize: number;
  scores: {
    lpips: number;
    lpipsPaperRange: number;
    clipI: number;
    clipScore: number;
    targetLpips: number | null;
    targetLpipsPaperRange: number | null;
    targetClipI: number | null;
  }[];
}

/** The statuses after which an edit never changes. */
export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

type FetchFn = typeof fetch;

/**
 * The platform as the evaluation sees it: the gateway's GraphQL over HTTP, nothing else.
 * `metricFields` are the FrameMetrics fields asked for (see `availableMetricFields`).
 */
export class GatewayClient {
  constructor(
    private readonly url: string,
    private readonly fetchFn: FetchFn = fetch,
    private readonly apiKey: string | null = null,
  ) {}

  private async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'apollo-require-preflight': 'true',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new GatewayError(
        `cannot reach the gateway at ${this.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    const text = await res.text();
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new GatewayError(
        `the gateway at ${this.url} answered HTTP ${res.status} that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (body.errors && body.errors.length > 0) {
      const first = body.errors[0]!;
      throw new GraphqlRequestError(
        first.extensions?.code ?? `HTTP_${res.status}`,
        body.errors.map((e) => e.message).join('; '),
      );
    }
    if (body.data === undefined || body.data === null)
      throw new GatewayError(`the gateway at ${this.url} answered HTTP ${res.status} without data`);
    return body.data;
  }

  /**
   * Which of the wanted FrameMetrics fields the platform serves, from the schema (introspection).
   * When the gateway refuses introspection, every field is assumed and a missing one fails the
   * first edit query with the gateway's own message.
   */
  async availableMetricFields(): Promise<{
    fields: MetricField[];
    models: boolean;
    provenance: boolean;
    scoreImages: boolean;
  }> {
    type Fields = { fields: { name: string }[] } | null;
    let data: { metrics: Fields; edit: Fields; mutation: Fields };
    try {
      data = await this.request(
        `{ metrics: __type(name: "FrameMetrics") { fields { name } } edit: __type(name: "Edit") { fields { name } }
           mutation: __type(name: "Mutation") { fields { name } } }`,
      );
    } catch (error) {
      if (error instanceof GraphqlRequestError)
        return { fields: [...METRIC_FIELDS], models: false, provenance: true, scoreImages: true };
      throw error;
    }
    const served = new Set((data.metrics?.fields ?? []).map((f) => f.name));
    const edit = new Set((data.edit?.fields ?? []).map((f) => f.name));
    return {
      fields: METRIC_FIELDS.filter((f) => served.has(f)),
      models: served.has('models'),
      provenance: ['options', 'caption', 'selectionDecision', 'history'].every((f) => edit.has(f)),
      scoreImages: (data.mutation?.fields ?? []).some((f) => f.name === 'scoreImages'),
    };
  }

  /** The edit's result, source and ground truth as stored, downloaded from their signed URLs. */
  async resultImages(
    id: string,
  ): Promise<{ result: Buffer; source: Buffer; groundTruth: Buffer | null } | null> {
    const data = await this.request<{
      edit: { resultUrl: string | null; sourceUrl: string; groundTruthUrl: string | null } | null;
    }>(`query EvalImages($id: ID!) { edit(id: $id) { resultUrl sourceUrl groundTruthUrl } }`, { id });
    if (!data.edit?.resultUrl) return null;
    const [result, source, groundTruth] = await Promise.all([
      this.download(data.edit.resultUrl),
      this.download(data.edit.sourceUrl),
      data.edit.groundTruthUrl ? this.download(data.edit.groundTruthUrl) : null,
    ]);
    return { result, source, groundTruth };
  }

  private async download(url: string): Promise<Buffer> {
    let res: Response;
    try {
      res = await this.fetchFn(url);
    } catch (error) {
      throw new GatewayError(`cannot download ${url.split('?')[0]}: ${(error as Error).message}`);
    }
    if (!res.ok) throw new GatewayError(`downloading ${url.split('?')[0]} answered HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  /** The platform's scoreImages (metrics service) for one result: the protocol's 512×512 scores. */
  async scoreImage(images: { result: Buffer; source: Buffer; groundTruth: Buffer | null }, caption: string) {
    const data = await this.request<{ scoreImages: ScoredImage }>(
      `mutation EvalScore($input: ScoreImagesInput!) { scoreImages(input: $input) {
        models lpipsSize
        scores { lpips lpipsPaperRange clipI clipScore targetLpips targetLpipsPaperRange targetClipI }
      } }`,
      {
        input: {
          items: [
            {
              resultBase64: images.result.toString('base64'),
              sourceBase64: images.source.toString('base64'),
              groundTruthBase64: images.groundTruth?.toString('base64') ?? null,
              targetCaption: caption,
            },
          ],
        },
      },
    );
    return data.scoreImages;
  }

  async createEdit(input: CreateEditRequest): Promise<string> {
    const data = await this.request<{ createEdit: { id: string } }>(
      `mutation Eval($input: CreateEditInput!) { createEdit(input: $input) { id } }`,
      { input },
    );
    return data.createEdit.id;
  }

  /** Stops an edit (and its GPU work); used for edits past the evaluation's timeout. */
  async cancelEdit(id: string): Promise<void> {
    await this.request(`mutation EvalCancel($id: ID!) { cancelEdit(id: $id) { id } }`, { id });
  }

  async editStatus(id: string): Promise<string | null> {
    const data = await this.request<{ edit: { status: string } | null }>(
      `query EvalStatus($id: ID!) { edit(id: $id) { status } }`,
      { id },
    );
    return data.edit?.status ?? null;
  }

  /** The edit with its selection, failure and candidate 0's frames with the given metric fields. */
  async editResult(
    id: string,
    metricFields: readonly MetricField[],
    withModels = false,
    withProvenance = false,
  ): Promise<EditView | null> {
    const asked = [...metricFields, ...(withModels ? ['models'] : [])];
    const metrics = asked.length > 0 ? `metrics { ${asked.join(' ')} }` : '';
    const data = await this.request<{
      edit: Omit<EditView, 'frames' | 'selectedFrame'> & Record<string, unknown>;
    }>(
      `query EvalResult($id: ID!) { edit(id: $id) {
        id status noEdit failure { code reason }
        selectedFrame { index candidate ${metrics} }
        frames(candidate: 0) { index candidate ${metrics} }
        ${withProvenance ? PROVENANCE_QUERY : ''}
      } }`,
      { id },
    );
    if (!data.edit) return null;
    const view = (f: Record<string, unknown> | null): FrameView | null =>
      f === null
        ? null
        : {
            index: f.index as number,
            candidate: f.candidate as number,
            metrics:
              metricFields.length === 0 || !f.metrics
                ? null
                : fillMetrics(f.metrics as Partial<FrameMetrics>),
            metricModels: (f.metrics as { models?: string | null } | null)?.models ?? null,
          };
    const frames = ((data.edit.frames as Record<string, unknown>[]) ?? []).map((f) => view(f)!);
    frames.sort((a, b) => a.index - b.index);
    return {
      id: data.edit.id,
      status: data.edit.status,
      noEdit: data.edit.noEdit,
      failure: data.edit.failure,
      selectedFrame: view(data.edit.selectedFrame as Record<string, unknown> | null),
      frames,
      provenance: withProvenance ? provenanceOf(data.edit as ProvenanceFields) : null,
    };
  }
}

function fillMetrics(partial: Partial<FrameMetrics>): FrameMetrics {
  const out = {} as FrameMetrics;
  for (const f of METRIC_FIELDS) out[f] = typeof partial[f] === 'number' ? partial[f] : null;
  return out;
}
