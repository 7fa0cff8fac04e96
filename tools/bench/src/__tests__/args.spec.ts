import { parseArgs } from '../main';
import { withServiceEnv } from '../part';

describe('npm run bench arguments', () => {
  it('takes parts, --quick and repeated --set service.NAME=value settings', () => {
    expect(
      parseArgs([
        'overhead',
        '--set',
        'video-generation.FRAMES_IN_FLIGHT=1',
        '--set=video-generation.FRAME_EFFORT=4',
        '--quick',
        '--set',
        'metrics.LOG_LEVEL=debug',
      ]),
    ).toEqual({
      quick: true,
      partNames: ['overhead'],
      serviceEnv: {
        'video-generation': { FRAMES_IN_FLIGHT: '1', FRAME_EFFORT: '4' },
        metrics: { LOG_LEVEL: 'debug' },
      },
    });
  });

  it('refuses an unknown option and a malformed setting', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
    expect(() => parseArgs(['--set'])).toThrow(/--set wants <service>.<NAME>=<value>, got nothing/);
    expect(() => parseArgs(['--set', 'FRAME_EFFORT=4'])).toThrow(/got FRAME_EFFORT=4/);
  });

  it("lays the run's settings over a part's own", () => {
    const ctx = { serviceEnv: { gateway: { LOG_LEVEL: 'debug' }, edits: { X: '1' } } };
    expect(withServiceEnv(ctx, { gateway: { LOG_LEVEL: 'warn', RATE: '9' } })).toEqual({
      gateway: { LOG_LEVEL: 'debug', RATE: '9' },
      edits: { X: '1' },
    });
  });
});
