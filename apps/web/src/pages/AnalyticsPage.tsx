import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useQuery } from 'urql';

import { describeError } from '../errors';
import { AnalyticsQuery } from '../graphql/documents';

const DAYS = 30;
const percent = (share: number | null | undefined) =>
  share === null || share === undefined ? '–' : `${Math.round(share * 100)}%`;

/** Figures over the tenant's edits of the last 30 days. */
export function AnalyticsPage() {
  const window = useMemo(() => {
    const to = new Date(Date.now() + 60_000);
    return { from: new Date(to.getTime() - DAYS * 86_400_000).toISOString(), to: to.toISOString() };
  }, []);
  const [result] = useQuery({ query: AnalyticsQuery, variables: window });
  const a = result.data?.analytics;
  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">Analytics (last {DAYS} days)</h1>
      {result.error ? (
        <p role="alert" className="error">
          {describeError(result.error)}
        </p>
      ) : null}
      {a ? (
        <>
          <dl className="figures">
            <div>
              <dt>Edits</dt>
              <dd data-testid="total">{a.total}</dd>
            </div>
            <div>
              <dt>No-edit rate</dt>
              <dd>
                {percent(a.noEdit.share)} ({a.noEdit.count} of {a.noEdit.total})
              </dd>
            </div>
            <div>
              <dt>Selections re-chosen</dt>
              <dd>
                {percent(a.overrides.share)} ({a.overrides.overridden} of {a.overrides.completed})
              </dd>
            </div>
          </dl>
          <figure className="chart">
            <figcaption>Edits per day</figcaption>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={a.byDay}>
                <CartesianGrid strokeDasharray="3 3" stroke="#c8c8c8" />
                <XAxis dataKey="day" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="count" name="edits" fill="#0b57d0" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <figure className="chart">
            <figcaption>Stage latency (ms)</figcaption>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={a.stageLatency}>
                <CartesianGrid strokeDasharray="3 3" stroke="#c8c8c8" />
                <XAxis dataKey="stage" />
                <YAxis />
                <Tooltip />
                <Legend />
                <Bar dataKey="p50Ms" name="p50" fill="#146c2e" isAnimationActive={false} />
                <Bar dataKey="p95Ms" name="p95" fill="#b3261e" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <figure className="chart">
            <figcaption>Selection overrides and no-edit results</figcaption>
            <ResponsiveContainer width="100%" height={200}>
              <BarChart
                layout="vertical"
                data={[
                  { name: 're-chosen', value: a.overrides.rechosen },
                  { name: 'overridden', value: a.overrides.overridden },
                  { name: 'no edit', value: a.noEdit.count },
                  { name: 'completed', value: a.overrides.completed },
                ]}
              >
                <CartesianGrid strokeDasharray="3 3" stroke="#c8c8c8" />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="name" width={90} />
                <Tooltip />
                <Bar dataKey="value" name="edits" fill="#5f3dc4" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
        </>
      ) : (
        <p aria-live="polite">Loading…</p>
      )}
    </section>
  );
}
