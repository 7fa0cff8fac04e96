import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The VLM double: a real HTTP server speaking the OpenAI chat-completions API that answers every
 * request after a fixed latency with a valid frame choice (as test/support/fake-openai.ts does).
 */
export class FixedLatencyVlm {
  private server: http.Server | undefined;
  requests = 0;

  constructor(
    readonly latencyMs: number,
    readonly answer = 'The selected edit is:1',
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.requests++;
        setTimeout(() => this.reply(res), this.latencyMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  private reply(res: http.ServerResponse): void {
    if (res.destroyed) return;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        id: `chatcmpl-bench-${this.requests}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'bench-vlm',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: this.answer } }],
        usage: { prompt_tokens: 1000, completion_tokens: 8, total_tokens: 1008 },
      }),
    );
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
