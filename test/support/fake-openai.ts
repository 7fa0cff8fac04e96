import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model: string;
    max_tokens?: number;
    messages: {
      role: string;
      content: string | { type: string; text?: string; image_url?: { url: string } }[];
    }[];
  };
}

export type Reply =
  | { text: string; model?: string; promptTokens?: number; completionTokens?: number }
  | { status: number; error: string }
  | { refusal: string }
  | { delayMs: number; text: string };

/**
 * A local HTTP server that speaks the OpenAI chat-completions API (the model endpoint double):
 * it records every request it receives and answers from a script of replies.
 */
export class FakeOpenAiServer {
  readonly requests: ChatRequest[] = [];
  private replies: Reply[] = [];
  private fallback: Reply | ((request: ChatRequest) => Reply) = {
    text: 'The dog gradually lowers its back legs, settling into a seated position.',
  };
  private server: http.Server | undefined;

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  /** Replies for the next requests, in order; after them, the default reply. */
  script(...replies: Reply[]): void {
    this.replies = replies;
  }

  setDefault(reply: Reply | ((request: ChatRequest) => Reply)): void {
    this.fallback = reply;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => void this.answer(req, raw, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async answer(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    const body = JSON.parse(raw || '{}') as ChatRequest['body'];
    const request: ChatRequest = { path: req.url ?? '', authorization: req.headers.authorization, body };
    this.requests.push(request);
    const reply =
      this.replies.shift() ?? (typeof this.fallback === 'function' ? this.fallback(request) : this.fallback);
    if ('delayMs' in reply) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    res.setHeader('content-type', 'application/json');
    if ('status' in reply) {
      res.statusCode = reply.status;
      res.end(JSON.stringify({ error: { message: reply.error, type: 'server_error' } }));
      return;
    }
    const message =
      'refusal' in reply
        ? { role: 'assistant', content: null, refusal: reply.refusal }
        : { role: 'assistant', content: reply.text };
    res.end(
      JSON.stringify({
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: ('model' in reply && reply.model) || body.model,
        choices: [{ index: 0, message, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: ('promptTokens' in reply && reply.promptTokens) || 1200,
          completion_tokens: ('completionTokens' in reply && reply.completionTokens) || 20,
          total_tokens:
            (('promptTokens' in reply && reply.promptTokens) || 1200) +
            (('completionTokens' in reply && reply.completionTokens) || 20),
        },
      }),
    );
  }
}
