import { parseStageTimes, stageTimesBetween } from '../prometheus';

const exposition = (
  sum: number,
  count: number,
) => `# HELP f2f_stage_duration_seconds Time a stage's handler took
# TYPE f2f_stage_duration_seconds histogram
f2f_stage_duration_seconds_bucket{le="0.5",consumer="metrics",event_type="video.generated"} 1
f2f_stage_duration_seconds_sum{consumer="metrics",event_type="video.generated"} ${sum}
f2f_stage_duration_seconds_count{consumer="metrics",event_type="video.generated"} ${count}
f2f_stage_duration_seconds_sum{consumer="edits",event_type="frame.selected"} 0.25
f2f_stage_duration_seconds_count{consumer="edits",event_type="frame.selected"} 5
f2f_events_handled_total{consumer="metrics",event_type="video.generated",outcome="ok"} 2
`;

describe('stage times from /metrics', () => {
  it('reads the sum and count of each consumer and event type, ignoring buckets and other metrics', () => {
    expect(parseStageTimes(exposition(3.5, 2))).toEqual([
      { consumer: 'metrics', eventType: 'video.generated', count: 2, seconds: 3.5 },
      { consumer: 'edits', eventType: 'frame.selected', count: 5, seconds: 0.25 },
    ]);
  });

  it('keeps what was handled between two scrapes', () => {
    const between = stageTimesBetween(parseStageTimes(exposition(1, 1)), parseStageTimes(exposition(4.5, 3)));
    expect(between).toEqual([{ consumer: 'metrics', eventType: 'video.generated', count: 2, seconds: 3.5 }]);
  });
});
