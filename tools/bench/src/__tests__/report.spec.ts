import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { BenchPart } from '../part';
import { renderReport, saveResult, type StoredResult } from '../report';

const part = (id: BenchPart['id'], title: string): BenchPart => ({
  id,
  title,
  summary: '',
  run: () => Promise.reject(new Error('not run here')),
});
const PARTS = [
  part('overhead', 'Platform overhead'),
  part('gateway', 'Gateway throughput'),
  part('frames', 'Frames'),
];
const RUN = {
  commit: 'abc123',
  dirty: false,
  date: '2026-12-04T00:00:00.000Z',
  machine: '2 × CPU, 24 GiB',
  node: 'v20',
};

describe('BENCHMARKS.md', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'f2f-bench-report-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const store = (result: Partial<StoredResult> & Pick<StoredResult, 'id' | 'title'>) =>
    saveResult(
      { command: 'npm run bench', run: RUN, seconds: 12.4, targets: [], markdown: '', ...result },
      dir,
    );

  it('summarises every target with its verdict and gives each part its section, in the parts’ order', () => {
    store({
      id: 'gateway',
      title: 'Gateway throughput',
      targets: [{ name: 'ours ÷ Hive, req/s', measured: '0.91×', target: '≥ 1.00×', holds: false }],
      markdown: '| q | rps |\n| --- | --- |\n| edit | 900 |',
    });
    store({
      id: 'overhead',
      title: 'Platform overhead',
      targets: [
        { name: 'platform ÷ bare, median', measured: '1.02×', target: '≤ 1.03×', holds: true },
        { name: 'GPU workers per replica', measured: '12', target: '–' },
      ],
      markdown: 'method',
    });
    const report = renderReport(PARTS, dir);

    expect(report).toMatch(/\| overhead \| platform ÷ bare, median +\| 1\.02× +\| ≤ 1\.03× +\| ✅ holds/);
    expect(report).toMatch(/\| gateway +\| ours ÷ Hive, req\/s +\| 0\.91× +\| ≥ 1\.00× +\| ❌ misses/);
    expect(report).toMatch(/GPU workers per replica +\| 12 +\| – +\| – +\|/);
    expect(report.indexOf('## Platform overhead')).toBeLessThan(report.indexOf('## Gateway throughput'));
    expect(report).toContain(
      '`npm run bench` · commit abc123 · 2026-12-04T00:00:00.000Z · 2 × CPU, 24 GiB · Node v20 · 12 s',
    );
    expect(report).toContain('Not measured yet: frames.');
  });

  it('shows a part that failed as failed, with its error instead of figures', () => {
    store({
      id: 'frames',
      title: 'Frames',
      error: 'Error: sharp refused\n    at encode',
      run: { ...RUN, dirty: true },
    });
    const report = renderReport(PARTS, dir);

    expect(report).toMatch(/\| frames \| the benchmark failed \| Error: sharp refused \| +\| ❌ failed \|/);
    expect(report).toContain('**The benchmark failed:**');
    expect(report).toContain('(with uncommitted changes)');
    expect(JSON.parse(readFileSync(path.join(dir, 'frames.json'), 'utf8')).error).toContain('sharp refused');
  });
});
