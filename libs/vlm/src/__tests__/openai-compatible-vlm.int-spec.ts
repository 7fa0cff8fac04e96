import { FakeOpenAiServer } from '../../../../test/support/fake-openai';
import { OpenAiCompatibleVlm, VlmError, type VlmRequest } from '..';

const server = new FakeOpenAiServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
  server.script();
});

const vlm = (overrides: Partial<{ timeoutMs: number; maxRetries: number; apiKey: string }> = {}) =>
  new OpenAiCompatibleVlm({
    baseUrl: server.baseUrl,
    model: 'gpt-4o',
    timeoutMs: 2_000,
    maxRetries: 2,
    apiKey: 'sk-test',
    ...overrides,
  });

const image = Buffer.from('89504e470d0a1a0a', 'hex');
const request: VlmRequest = {
  purpose: 'temporal-caption',
  promptVersion: 'v1',
  maxTokens: 50,
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'example instruction' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'example answer' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'instruction' },
        { type: 'image', data: image, mime: 'image/png' },
      ],
    },
  ],
};

describe('OpenAiCompatibleVlm against an OpenAI-compatible HTTP server', () => {
  it('sends the model, the conversation and the image as a data URL, and reports text, model, latency and tokens', async () => {
    server.script({
      text: 'The dog sits down.',
      model: 'gpt-4o-2024-08-06',
      promptTokens: 900,
      completionTokens: 7,
    });
    const answer = await vlm().complete(request);
    expect(answer).toMatchObject({
      text: 'The dog sits down.',
      model: 'gpt-4o-2024-08-06',
      usage: { promptTokens: 900, completionTokens: 7, totalTokens: 907 },
      finishReason: 'stop',
    });
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
    const [sent] = server.requests;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.authorization).toBe('Bearer sk-test');
    expect(sent.body.model).toBe('gpt-4o');
    expect(sent.body.max_tokens).toBe(50);
    expect(sent.body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.body.messages[1].content).toBe('example answer');
    expect(sent.body.messages[2].content).toEqual([
      { type: 'text', text: 'instruction' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` } },
    ]);
  });

  it('retries server errors and then answers', async () => {
    server.script({ status: 503, error: 'overloaded' }, { status: 500, error: 'boom' }, { text: 'Fine.' });
    await expect(vlm().complete(request)).resolves.toMatchObject({ text: 'Fine.' });
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after its retries with an "unavailable" error', async () => {
    server.script({ status: 500, error: 'a' }, { status: 500, error: 'b' }, { status: 500, error: 'c' });
    const error = await vlm({ maxRetries: 1 })
      .complete(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VlmError);
    expect((error as VlmError).kind).toBe('unavailable');
    expect(server.requests).toHaveLength(2);
  });

  it('times out a slow endpoint', async () => {
    server.script({ delayMs: 1_500, text: 'late' });
    const error = await vlm({ timeoutMs: 300, maxRetries: 0 })
      .complete(request)
      .catch((e: unknown) => e);
    expect([(error as VlmError).kind, (error as VlmError).message]).toEqual([
      'timeout',
      'VLM timed out after 300 ms',
    ]);
  });

  it('reports a refusal as such', async () => {
    server.script({ refusal: 'I cannot help with that.' });
    const error = await vlm()
      .complete(request)
      .catch((e: unknown) => e);
    expect((error as VlmError).kind).toBe('refused');
  });
});
