import { readFileSync } from 'node:fs';
import path from 'node:path';

import { register } from 'prom-client';
import { parse } from 'yaml';

import { metrics } from '../metrics';

/**
 * The Grafana dashboard and the alert rules (infra/observability) only name series the platform
 * exports: the TypeScript services' metrics (libs/telemetry) and the GPU worker's (prometheus_client
 * in workers/cogvideox/src/f2f_worker/telemetry.py).
 */
const ROOT = path.resolve(__dirname, '../../../..');
const OBSERVABILITY = path.join(ROOT, 'infra/observability');

/** The series names a metric of this type is exposed as. */
function seriesOf(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  return [name];
}

function exportedSeries(): Set<string> {
  expect(Object.keys(metrics).length).toBeGreaterThan(10);
  const node = register.getMetricsAsArray().flatMap((m) => seriesOf(m.name, String(m.type)));
  const python = readFileSync(path.join(ROOT, 'workers/cogvideox/src/f2f_worker/telemetry.py'), 'utf8');
  const worker = [...python.matchAll(/(Counter|Gauge|Histogram)\(\s*"(f2f_worker_[a-z_]+)"/g)].flatMap(
    ([, kind, name]) =>
      kind === 'Counter' ? [`${name}_total`] : seriesOf(name, kind === 'Histogram' ? 'histogram' : 'gauge'),
  );
  expect(worker).toContain('f2f_worker_phase_duration_seconds_bucket');
  return new Set([...node, ...worker]);
}

const namesIn = (expr: string) => [...expr.matchAll(/\bf2f_[a-z0-9_]+/g)].map((m) => m[0]);

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(
    readFileSync(path.join(OBSERVABILITY, 'grafana/f2f-platform.json'), 'utf8'),
  ) as { title: string; uid: string; panels: Panel[] };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');

  it('is a dashboard with panels that each query Prometheus', () => {
    expect(dashboard.uid).toBe('f2f-platform');
    expect(panels.length).toBeGreaterThan(15);
    expect(panels.filter((p) => (p.targets?.length ?? 0) === 0).map((p) => p.title)).toEqual([]);
  });

  it("names in every panel's query only metrics the platform exports", () => {
    const exported = exportedSeries();
    for (const panel of panels) {
      for (const { expr } of panel.targets ?? []) {
        const names = namesIn(expr);
        expect({ panel: panel.title, names: names.length > 0 }).toEqual({ panel: panel.title, names: true });
        expect({ panel: panel.title, unknown: names.filter((n) => !exported.has(n)) }).toEqual({
          panel: panel.title,
          unknown: [],
        });
      }
    }
  });

  it('shows every metric family the platform exports', () => {
    const shown = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => namesIn(t.expr))));
    const families = register
      .getMetricsAsArray()
      .map((m) => m.name)
      .filter(
        (name) =>
          name.startsWith('f2f_') && !name.startsWith('f2f_process_') && !name.startsWith('f2f_nodejs_'),
      );
    const missing = families.filter(
      (name) => ![...shown].some((s) => s === name || s.startsWith(`${name}_`)),
    );
    expect(missing).toEqual([]);
  });
});

describe('the alert rules', () => {
  const rules = parse(readFileSync(path.join(OBSERVABILITY, 'alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string; annotations: { runbook: string } }[] }[];
  };
  const all = rules.groups.flatMap((g) => g.rules);

  it('cover stuck edits, growing lag, a saturated pool and a failing VLM, each with a runbook', () => {
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'F2FEditsStuck',
        'F2FConsumerLagGrowing',
        'F2FGpuPoolSaturated',
        'F2FVlmFailing',
      ]),
    );
    const operations = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    for (const rule of all) {
      expect(rule.annotations.runbook).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect({ alert: rule.alert, documented: operations.includes(`### ${rule.alert}`) }).toEqual({
        alert: rule.alert,
        documented: true,
      });
    }
  });

  it('name only metrics the platform exports', () => {
    const exported = exportedSeries();
    for (const rule of all) {
      expect({ alert: rule.alert, unknown: namesIn(rule.expr).filter((n) => !exported.has(n)) }).toEqual({
        alert: rule.alert,
        unknown: [],
      });
    }
  });
});
