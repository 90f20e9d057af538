import { Badge, Tooltip } from '@mantine/core';

const COLORS: Record<string, string> = {
  READY: 'teal',
  SUCCEEDED: 'teal',
  LOADING: 'blue',
  UPLOADING: 'blue',
  VALIDATING: 'blue',
  QUEUED: 'gray',
  RUNNING: 'blue',
  FAILED: 'red',
  CANCELLED: 'orange',
};

/** A state name as a coloured badge, with the reason (if any) on hover. */
export function StatusBadge({ status, reason, testId }: { status: string; reason?: string | null; testId?: string }) {
  const badge = (
    <Badge color={COLORS[status] ?? 'gray'} variant="light" data-testid={testId}>
      {status.toLowerCase()}
    </Badge>
  );
  return reason ? (
    <Tooltip label={reason} multiline w={320}>
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}
