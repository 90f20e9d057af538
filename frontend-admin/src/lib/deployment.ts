import type { BatchingPolicy, DeploymentRequest, DeploymentView } from '../api/types';

/** The deployment form's values and their translation to and from the admin API. */

export type DeviceKind = 'cpu' | 'cuda' | 'cuda:N' | 'tensorrt' | 'tensorrt:N';

/** Whether the device names a GPU by index. */
export function isIndexed(kind: DeviceKind): boolean {
  return kind === 'cuda:N' || kind === 'tensorrt:N';
}

export interface DeploymentFormValues {
  deviceKind: DeviceKind;
  deviceIndex: number;
  instances: number;
  intraOpThreads: number;
  maxBatchSize: number;
  maxQueueDelayMicros: number;
  preferredBatchSizes: string;
  queueCapacity: number;
  defaultTimeoutMicros: number;
  priorityLevels: number;
}

/** The server's own defaults for a deployment that names none. */
export const DEFAULT_BATCHING: BatchingPolicy = {
  maxBatchSize: 64,
  maxQueueDelayMicros: 200,
  preferredBatchSizes: [],
  queueCapacity: 1024,
  defaultTimeoutMicros: 0,
  priorityLevels: 1,
};

export function parseDevice(device: string | null | undefined): { kind: DeviceKind; index: number } {
  const d = (device ?? 'cpu').trim().toLowerCase();
  const indexed = /^(cuda|tensorrt):(\d+)$/.exec(d);
  if (indexed) return { kind: indexed[1] === 'cuda' ? 'cuda:N' : 'tensorrt:N', index: Number(indexed[2]) };
  if (d === 'cuda' || d === 'tensorrt') return { kind: d, index: 0 };
  return { kind: 'cpu', index: 0 };
}

export function deviceString(kind: DeviceKind, index: number): string {
  return isIndexed(kind) ? `${kind.slice(0, -2)}:${index}` : kind;
}

export function initialDeploymentValues(existing: DeploymentView | null | undefined): DeploymentFormValues {
  const device = parseDevice(existing?.device);
  const b = { ...DEFAULT_BATCHING, ...(existing?.batching ?? {}) };
  return {
    deviceKind: device.kind,
    deviceIndex: device.index,
    instances: existing?.instances ?? 1,
    intraOpThreads: existing?.intraOpThreads ?? 0,
    maxBatchSize: b.maxBatchSize,
    maxQueueDelayMicros: b.maxQueueDelayMicros,
    preferredBatchSizes: (b.preferredBatchSizes ?? []).join(', '),
    queueCapacity: b.queueCapacity,
    defaultTimeoutMicros: b.defaultTimeoutMicros,
    priorityLevels: b.priorityLevels,
  };
}

export type DeploymentErrors = Partial<Record<keyof DeploymentFormValues, string>>;

function parseSizes(text: string): number[] | null {
  const tokens = text.split(/[\s,]+/).filter(Boolean);
  const sizes = tokens.map(Number);
  return sizes.every((n) => Number.isInteger(n) && n > 0) ? sizes : null;
}

function wholeAtLeast(value: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Field errors of the form; empty when it can be sent. */
export function validateDeployment(v: DeploymentFormValues): DeploymentErrors {
  const errors: DeploymentErrors = {};
  if (isIndexed(v.deviceKind) && !wholeAtLeast(v.deviceIndex, 0)) errors.deviceIndex = 'GPU index is a whole number ≥ 0';
  if (!wholeAtLeast(v.instances, 1)) errors.instances = 'At least 1 instance';
  if (!wholeAtLeast(v.intraOpThreads, 0)) errors.intraOpThreads = 'A whole number ≥ 0 (0 lets the runtime choose)';
  if (!wholeAtLeast(v.maxBatchSize, 1, 4096)) errors.maxBatchSize = 'Between 1 and 4096';
  if (!wholeAtLeast(v.maxQueueDelayMicros, 0, 10_000_000)) errors.maxQueueDelayMicros = 'Between 0 and 10 000 000 µs';
  if (!wholeAtLeast(v.queueCapacity, 1, 1_000_000)) errors.queueCapacity = 'Between 1 and 1 000 000';
  if (!wholeAtLeast(v.defaultTimeoutMicros, 0)) errors.defaultTimeoutMicros = 'A whole number of µs ≥ 0';
  if (!wholeAtLeast(v.priorityLevels, 1, 16)) errors.priorityLevels = 'Between 1 and 16';
  const sizes = parseSizes(v.preferredBatchSizes);
  if (sizes === null) errors.preferredBatchSizes = 'Comma-separated whole numbers > 0';
  else if (wholeAtLeast(v.maxBatchSize, 1, 4096) && sizes.some((s) => s > v.maxBatchSize)) {
    errors.preferredBatchSizes = `Preferred sizes cannot exceed the max batch size (${v.maxBatchSize})`;
  }
  return errors;
}

export function toDeploymentRequest(v: DeploymentFormValues): DeploymentRequest {
  return {
    device: deviceString(v.deviceKind, v.deviceIndex),
    instances: v.instances,
    intraOpThreads: v.intraOpThreads,
    batching: {
      maxBatchSize: v.maxBatchSize,
      maxQueueDelayMicros: v.maxQueueDelayMicros,
      preferredBatchSizes: parseSizes(v.preferredBatchSizes) ?? [],
      queueCapacity: v.queueCapacity,
      defaultTimeoutMicros: v.defaultTimeoutMicros,
      priorityLevels: v.priorityLevels,
    },
  };
}
