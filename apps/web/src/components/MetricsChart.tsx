import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export interface FramePoint {
  index: number;
  lpips: number | null;
  clipI: number | null;
  clipScore: number | null;
}

/** LPIPS, CLIP-I and CLIP score per frame of one candidate, the selected frame marked. */
export function MetricsChart({
  points,
  selectedIndex,
  scrubbedIndex,
}: {
  points: FramePoint[];
  selectedIndex: number | null;
  scrubbedIndex: number;
}) {
  const measured = points.some((p) => p.lpips !== null || p.clipI !== null || p.clipScore !== null);
  return (
    <figure className="chart" aria-label="Metrics per frame">
      <figcaption>
        LPIPS (lower: closer to the source), CLIP-I and CLIP score per frame
        {selectedIndex !== null ? `; the selected frame is ${selectedIndex}` : ''}
      </figcaption>
      {measured ? (
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#c8c8c8" />
            <XAxis dataKey="index" label={{ value: 'frame', position: 'insideBottomRight', offset: -4 }} />
            <YAxis domain={['auto', 'auto']} />
            <Tooltip />
            <Legend />
            <Line
              type="monotone"
              dataKey="lpips"
              name="LPIPS"
              stroke="#b3261e"
              dot={false}
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="clipI"
              name="CLIP-I"
              stroke="#0b57d0"
              dot={false}
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="clipScore"
              name="CLIP score"
              stroke="#146c2e"
              dot={false}
              isAnimationActive={false}
            />
            <ReferenceLine x={scrubbedIndex} stroke="#5f6368" strokeDasharray="4 2" />
            {selectedIndex !== null ? (
              <ReferenceLine x={selectedIndex} stroke="#000" strokeWidth={2} label="selected" />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      ) : (
        <p className="help">Not measured yet.</p>
      )}
    </figure>
  );
}
