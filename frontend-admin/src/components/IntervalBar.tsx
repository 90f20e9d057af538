import { Tooltip } from '@mantine/core';
import { isNumber } from '../lib/format';

interface Props {
  estimate: number | null | undefined;
  low: number | null | undefined;
  high: number | null | undefined;
  /** the axis runs from 0 to max */
  max: number;
  format: (value: number | null | undefined) => string;
  label: string;
  width?: number;
}

/**
 * A confidence interval as a small SVG: a grey axis from 0 to `max`, a bar from the lower to the upper bound
 * and a dot at the estimate. Variants drawn on the same `max` compare at a glance.
 */
export function IntervalBar({ estimate, low, high, max, format, label, width = 120 }: Props) {
  const height = 14;
  const x = (v: number) => Math.max(0, Math.min(width, (v / max) * width));
  const hasInterval = isNumber(low) && isNumber(high);
  const title = `${label}: ${format(estimate)}${hasInterval ? ` (${format(low)} – ${format(high)})` : ''}`;
  return (
    <Tooltip label={title}>
      <svg width={width} height={height} role="img" aria-label={title} data-testid="interval-bar">
        <line x1={0} x2={width} y1={height / 2} y2={height / 2} stroke="#dee2e6" strokeWidth={2} />
        {hasInterval && (
          <rect x={x(low)} y={3} width={Math.max(2, x(high) - x(low))} height={height - 6} rx={2} fill="#74c0fc" />
        )}
        {isNumber(estimate) && <circle cx={x(estimate)} cy={height / 2} r={3.5} fill="#1c7ed6" />}
      </svg>
    </Tooltip>
  );
}
