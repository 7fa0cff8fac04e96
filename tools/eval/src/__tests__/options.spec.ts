import path from 'node:path';

import { parseOptions, UsageError } from '../options';

const NOW = new Date('2025-01-02T03:04:05.678Z');

describe('parseOptions', () => {
  it('has the paper protocol’s defaults', () => {
    expect(parseOptions(['--dataset', 'ds'], NOW, {})).toEqual({
      dataset: path.resolve('ds'),
      gateway: 'http://localhost:4000/graphql',
      apiKey: null,
      out: path.resolve('.cache/eval/2025-01-02T03-04-05-678Z'),
      ablation: 'none',
      seeds: 1,
      firstSeed: 0,
      concurrency: 2,
      timeoutS: 900,
      candidates: 1,
      outputSize: 512,
      allowMissingMetrics: false,
      allowStandIns: false,
      bestByVlm: false,
      help: false,
    });
  });

  it('takes the API key from --api-key, else from F2F_API_KEY, and refuses a malformed one', () => {
    expect(
      parseOptions(['--dataset', 'ds', '--api-key', 'f2f_abc_123456'], NOW, { F2F_API_KEY: 'f2f_env_key1' })
        .apiKey,
    ).toBe('f2f_abc_123456');
    expect(parseOptions(['--dataset', 'ds'], NOW, { F2F_API_KEY: 'f2f_env_key1' }).apiKey).toBe(
      'f2f_env_key1',
    );
    expect(() => parseOptions(['--dataset', 'ds', '--api-key', 'has a space'], NOW, {})).toThrow(UsageError);
  });

  it('reads every option', () => {
    const o = parseOptions(
      [
        '--dataset=ds',
        '--gateway',
        'https://f2f.example/graphql',
        '--out',
        'o',
        '--ablation',
        'all',
        '--seeds',
        '3',
        '--first-seed',
        '7',
        '--concurrency',
        '4',
        '--timeout-s',
        '60',
        '--candidates',
        '2',
        '--output-size',
        '256',
        '--allow-missing-metrics',
      ],
      NOW,
    );
    expect(o).toMatchObject({
      gateway: 'https://f2f.example/graphql',
      out: path.resolve('o'),
      ablation: 'all',
      seeds: 3,
      firstSeed: 7,
      concurrency: 4,
      timeoutS: 60,
      candidates: 2,
      outputSize: 256,
      allowMissingMetrics: true,
    });
  });

  it.each([
    [[], '--dataset <dir> is required'],
    [['--dataset', ''], '--dataset <dir> is required'],
    [['--dataset', 'd', '--bogus'], "Unknown option '--bogus'"],
    [['--dataset', 'd', 'extra'], "Unexpected argument 'extra'"],
    [
      ['--dataset', 'd', '--ablation', 'frames'],
      '--ablation must be one of none, caption, selection, metric, all, got "frames"',
    ],
    [['--dataset', 'd', '--seeds', '0'], '--seeds must be between 1 and 100, got 0'],
    [['--dataset', 'd', '--seeds', '1.5'], '--seeds must be an integer, got "1.5"'],
    [['--dataset', 'd', '--concurrency', 'x'], '--concurrency must be an integer, got "x"'],
    [['--dataset', 'd', '--candidates', '9'], '--candidates must be between 1 and 8, got 9'],
    [
      ['--dataset', 'd', '--gateway', 'localhost:4000'],
      '--gateway must be an http(s) URL, got "localhost:4000"',
    ],
    [['--dataset', 'd', '--gateway', 'nope'], '--gateway must be an http(s) URL, got "nope"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseOptions(argv as string[], NOW)).toThrow(UsageError);
    expect(() => parseOptions(argv as string[], NOW)).toThrow(message);
  });

  it('needs no dataset for --help', () => {
    expect(parseOptions(['--help'], NOW).help).toBe(true);
  });
});
