import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Text } from '@mantine/core';

export type SeriesPoint = { time: string } & Record<string, number | string>;

export const PALETTE = ['#0ca678', '#1c7ed6', '#f76707', '#ae3ec9', '#e03131', '#5c940d', '#495057'];

/** Every key other than `time` seen in the samples, in order of first appearance. */
export function seriesKeys(data: SeriesPoint[]): string[] {
  const keys: string[] = [];
  data.forEach((point) =>
    Object.keys(point).forEach((k) => {
      if (k !== 'time' && !keys.includes(k)) keys.push(k);
    }),
  );
  return keys;
}

/** A rolling line chart; one line per series key. */
export function LiveLineChart({ data, unit, height = 220, keys }: { data: SeriesPoint[]; unit: string; height?: number; keys?: string[] }) {
  const lines = keys ?? seriesKeys(data);
  if (data.length === 0 || lines.length === 0) {
    return (
      <Text size="sm" c="dimmed" h={height}>
        Waiting for traffic…
      </Text>
    );
  }
  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 480, height }}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="time" minTickGap={40} fontSize={11} />
        <YAxis fontSize={11} width={48} />
        <Tooltip formatter={(value) => `${typeof value === 'number' ? value.toFixed(2) : String(value)} ${unit}`} />
        <Legend />
        {lines.map((key, i) => (
          <Line key={key} type="monotone" dataKey={key} stroke={PALETTE[i % PALETTE.length]} dot={false} isAnimationActive={false} connectNulls />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
