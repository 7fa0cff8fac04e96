import type { Dataset } from '../dataset';
import { type CreateEditRequest, type GatewayClient, GraphqlRequestError } from '../gateway-client';
import { type Clock, planTasks, runEvaluation, type RunSettings } from '../run-eval';
import { F2F, LAST_FRAME } from '../variants';
import { makeEdit } from './factories';

const dataset: Dataset = {
  dir: '/d',
  file: '/d/dataset.json',
  items: ['a', 'b', 'c'].map((id) => ({
    id,
    sourcePath: `/d/${id}.png`,
    source: Buffer.from(id),
    targetCaption: `caption ${id}`,
    groundTruthPath: null,
    groundTruth: null,
  })),
};

const settings: RunSettings = {
  variants: [F2F, LAST_FRAME],
  seeds: 2,
  firstSeed: 10,
  concurrency: 2,
  timeoutMs: 5_000,
  candidates: 1,
  outputSize: 512,
  servedFields: ['lpips', 'clipI', 'clipScore', 'targetLpips', 'targetClipI', 'ssim', 'psnr'],
  pollMs: 1_000,
};

/** Virtual time: sleeping advances the clock at once. */
function fakeClock(): Clock {
  let t = 0;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

/** The gateway adapter swapped: edits complete after `pollsToFinish` status reads unless told otherwise. */
class FakeGateway {
  readonly created: CreateEditRequest[] = [];
  readonly cancelled: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private polls = new Map<string, number>();
  /** Result reads that fail before one succeeds, per edit id. */
  resultFaults = new Map<string, GraphqlRequestError[]>();
  constructor(private readonly behaviour: (req: CreateEditRequest) => 'complete' | 'hang' | 'refuse') {}

  async createEdit(input: CreateEditRequest): Promise<string> {
    if (this.behaviour(input) === 'refuse') throw new GraphqlRequestError('INVALID_IMAGE', 'not an image');
    this.created.push(input);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    return `edit-${this.created.length}`;
  }
  async editStatus(id: string): Promise<string> {
    const n = (this.polls.get(id) ?? 0) + 1;
    this.polls.set(id, n);
    const req = this.created[Number(id.split('-')[1]) - 1]!;
    await Promise.resolve();
    if (this.behaviour(req) === 'hang' || n < 2) return 'GENERATING';
    return 'COMPLETED';
  }
  async editResult(id: string) {
    const fault = this.resultFaults.get(id)?.shift();
    if (fault) throw fault;
    this.inFlight--;
    return makeEdit({ id });
  }
  scored: string[] = [];
  async resultImages(id: string) {
    if (id === 'edit-2') return null;
    return { result: Buffer.from(`result ${id}`), source: Buffer.from('source'), groundTruth: null };
  }
  async scoreImage(images: { result: Buffer }, caption: string) {
    this.scored.push(`${images.result.toString()}: ${caption}`);
    return {
      models: 'full-trained-x',
      lpipsSize: 512,
      scores: [
        {
          lpips: 0.4,
          lpipsPaperRange: 0.25,
          clipI: 0.9,
          clipScore: 0.7,
          targetLpips: 0.5,
          targetLpipsPaperRange: 0.3,
          targetClipI: 0.8,
        },
      ],
    };
  }
  async cancelEdit(id: string): Promise<void> {
    this.inFlight--;
    this.cancelled.push(id);
  }
}

describe('runEvaluation', () => {
  it('submits every item × variant × seed with the variant’s options and the paper’s output size', async () => {
    const gateway = new FakeGateway(() => 'complete');
    const results = await runEvaluation(gateway as unknown as GatewayClient, dataset, settings, fakeClock());
    expect(results).toHaveLength(12);
    expect(results.every((r) => r.outcome === 'EDITED')).toBe(true);
    expect(
      planTasks(dataset, settings)
        .map((t) => `${t.variant.name}/${t.item.id}/${t.seed}`)
        .slice(0, 3),
    ).toEqual(['F2F/a/10', 'F2F/a/11', 'F2F/b/10']);
    expect(results.map((r) => `${r.variant}/${r.itemId}/${r.seed}`).at(-1)).toBe('Last frame/c/11');
    const last = gateway.created.find((c) => c.options.selection === 'LAST_FRAME')!;
    expect(last.options).toEqual({
      captionMode: 'TEMPORAL',
      selection: 'LAST_FRAME',
      seed: 10,
      candidates: 1,
      outputWidth: 512,
      outputHeight: 512,
    });
    expect(last.imageBase64).toBe(Buffer.from('a').toString('base64'));
    expect(gateway.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('records refused submissions and timed-out edits as failures, and cancels what timed out', async () => {
    const gateway = new FakeGateway((req) =>
      req.targetCaption === 'caption a' ? 'refuse' : req.targetCaption === 'caption b' ? 'hang' : 'complete',
    );
    const results = await runEvaluation(
      gateway as unknown as GatewayClient,
      dataset,
      { ...settings, variants: [F2F], seeds: 1 },
      fakeClock(),
    );
    expect(results.map((r) => [r.itemId, r.outcome, r.failureCode])).toEqual([
      ['a', 'REJECTED', 'INVALID_IMAGE'],
      ['b', 'TIMEOUT', 'TIMEOUT'],
      ['c', 'EDITED', null],
    ]);
    expect(results[0]!.failureReason).toBe('createEdit refused: not an image');
    expect(results[1]!.failureReason).toBe('still GENERATING after 5 s');
    expect(gateway.cancelled).toEqual([results[1]!.editId]);
  });

  it('reads a result again after a transient gateway fault, and reports one that persists', async () => {
    const gateway = new FakeGateway(() => 'complete');
    const reset = () => new GraphqlRequestError('INTERNAL_SERVER_ERROR', 'read ECONNRESET');
    gateway.resultFaults.set('edit-1', [reset()]);
    gateway.resultFaults.set('edit-2', [reset(), reset(), reset()]);
    gateway.resultFaults.set('edit-3', [
      new GraphqlRequestError('GRAPHQL_VALIDATION_FAILED', 'Cannot query field'),
    ]);
    const results = await runEvaluation(
      gateway as unknown as GatewayClient,
      dataset,
      { ...settings, variants: [F2F], seeds: 1, concurrency: 1 },
      fakeClock(),
    );
    expect(results.map((r) => [r.itemId, r.outcome, r.failureCode])).toEqual([
      ['a', 'EDITED', null],
      ['b', 'REJECTED', 'INTERNAL_SERVER_ERROR'],
      ['c', 'REJECTED', 'GRAPHQL_VALIDATION_FAILED'],
    ]);
    expect(results[1]!.failureReason).toBe('reading the result failed (3 attempts): read ECONNRESET');
    expect(results[2]!.failureReason).toBe('reading the result failed: Cannot query field');
  });

  it("re-scores each completed result with the platform's scoreImages at 512, both LPIPS ranges", async () => {
    const gateway = new FakeGateway(() => 'complete');
    const results = await runEvaluation(
      gateway as unknown as GatewayClient,
      dataset,
      { ...settings, variants: [F2F], seeds: 1, concurrency: 1, rescore: true },
      fakeClock(),
    );
    expect(gateway.scored).toEqual(['result edit-1: caption a', 'result edit-3: caption c']);
    expect(results[0]!.metrics).toMatchObject({
      sourceLpips: 0.4,
      sourceLpipsPaperRange: 0.25,
      // No ground truth for this item: no target LPIPS, whatever the scoring says.
      targetLpips: null,
      targetLpipsPaperRange: null,
      lpipsSize: 512,
      clip: makeEdit().selectedFrame!.metrics!.clipScore,
    });
    // A result that cannot be scored at 512 is a failure, not a mean of mixed sizes.
    expect([results[1]!.outcome, results[1]!.failureCode, results[1]!.metrics]).toEqual([
      'FAILED',
      'SCORING_FAILED',
      null,
    ]);
    expect(results[1]!.failureReason).toBe(
      'scoring the result at 512x512 failed: the edit has no result image',
    );
  });
});
