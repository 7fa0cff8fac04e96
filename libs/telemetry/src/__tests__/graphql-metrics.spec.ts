import { graphqlMetricsPlugin, MAX_OPERATION_LABELS } from '../http';
import { metrics } from '../metrics';

interface Hooks {
  didResolveOperation(ctx: unknown): Promise<void>;
  willSendResponse(ctx: unknown): Promise<void>;
}

/** One request through the plugin's hooks, as Apollo Server calls them. */
async function serve(plugin: ReturnType<typeof graphqlMetricsPlugin>, name: string, code?: string) {
  const hooks = (await plugin.requestDidStart!({} as never)) as unknown as Hooks;
  await hooks.didResolveOperation({ operationName: name, operation: { operation: 'mutation' } });
  await hooks.willSendResponse({ errors: code ? [{ extensions: { code } }] : undefined });
}

describe('graphqlMetricsPlugin', () => {
  beforeEach(() => {
    metrics.graphqlRequests.reset();
    metrics.graphqlDuration.reset();
  });

  it('counts each operation by name, type and outcome (ok or the error code) and times it', async () => {
    const plugin = graphqlMetricsPlugin();
    await serve(plugin, 'CreateEdit');
    await serve(plugin, 'CreateEdit', 'BAD_USER_INPUT');
    await serve(plugin, 'CreateEdit');
    const { values } = await metrics.graphqlRequests.get();
    const count = (outcome: string) =>
      values.find((v) => v.labels.operation === 'CreateEdit' && v.labels.outcome === outcome)?.value;
    expect([count('ok'), count('BAD_USER_INPUT')]).toEqual([2, 1]);
    expect(values.every((v) => v.labels.type === 'mutation')).toBe(true);
    const durations = (await metrics.graphqlDuration.get()).values;
    expect(durations.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(3);
  });

  it('keeps at most MAX_OPERATION_LABELS client-chosen names; the rest count as other', async () => {
    const plugin = graphqlMetricsPlugin();
    for (let i = 0; i < MAX_OPERATION_LABELS + 50; i++) await serve(plugin, `Op${i}`);
    await serve(plugin, 'x'.repeat(101));
    await serve(plugin, 'Op0');
    const { values } = await metrics.graphqlRequests.get();
    expect(new Set(values.map((v) => v.labels.operation)).size).toBe(MAX_OPERATION_LABELS + 1);
    expect(values.find((v) => v.labels.operation === 'other')?.value).toBe(51);
    expect(values.find((v) => v.labels.operation === 'Op0')?.value).toBe(2);
  });
});
