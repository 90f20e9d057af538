import type { BatchingPolicy, DeploymentRequest, DeploymentView } from '../api/types';

/** The deployment form's values and their translation to and from the admin API. */

export type DeviceKind = 'cpu' | 'cuda' | 'cuda:N' | 'tensorrt';

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

export const DEFAULT_BATCHING: BatchingPolicy = {
  maxBatchSize: 8,
  maxQueueDelayMicros: 2000,
  preferredBatchSizes: [],
  queueCapacity: 256,
  defaultTimeoutMicros: 1_000_000,
  priorityLevels: 1,
};

export function parseDevice(device: string | null | undefined): { kind: DeviceKind; index: number } {
  const d = (device ?? 'cpu').trim().toLowerCase();
  const indexed = /^cuda:(\d+)$/.exec(d);
  if (indexed) return { kind: 'cuda:N', index: Number(indexed[1]) };
  if (d === 'cuda' || d === 'tensorrt') return { kind: d, index: 0 };
  return { kind: 'cpu', index: 0 };
}

export function deviceString(kind: DeviceKind, index: number): string {
  return kind === 'cuda:N' ? `cuda:${index}` : kind;
}

export function initialDeploymentValues(existing: DeploymentView | null | undefined): DeploymentFormValues {
  const device = parseDevice(existing?.device);
  const b = { ...DEFAULT_BATCHING, ...(existing?.batching ?? {}) };
  return {
    deviceKind: device.kind,
    deviceIndex: device.index,
    instances: existing?.instances ?? 1,
    intraOpThreads: existing?.intraOpThreads ?? 1,
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

function wholeAtLeast(value: number, min: number): boolean {
  return Number.isInteger(value) && value >= min;
}

/** Field errors of the form; empty when it can be sent. */
export function validateDeployment(v: DeploymentFormValues): DeploymentErrors {
  const errors: DeploymentErrors = {};
  if (v.deviceKind === 'cuda:N' && !wholeAtLeast(v.deviceIndex, 0)) errors.deviceIndex = 'GPU index is a whole number ≥ 0';
  if (!wholeAtLeast(v.instances, 1)) errors.instances = 'At least 1 instance';
  if (!wholeAtLeast(v.intraOpThreads, 0)) errors.intraOpThreads = 'A whole number ≥ 0 (0 lets the runtime choose)';
  if (!wholeAtLeast(v.maxBatchSize, 1)) errors.maxBatchSize = 'At least 1';
  if (!wholeAtLeast(v.maxQueueDelayMicros, 0)) errors.maxQueueDelayMicros = 'A whole number of µs ≥ 0';
  if (!wholeAtLeast(v.queueCapacity, 1)) errors.queueCapacity = 'At least 1';
  if (!wholeAtLeast(v.defaultTimeoutMicros, 0)) errors.defaultTimeoutMicros = 'A whole number of µs ≥ 0';
  if (!wholeAtLeast(v.priorityLevels, 1)) errors.priorityLevels = 'At least 1';
  const sizes = parseSizes(v.preferredBatchSizes);
  if (sizes === null) errors.preferredBatchSizes = 'Comma-separated whole numbers > 0';
  else if (wholeAtLeast(v.maxBatchSize, 1) && sizes.some((s) => s > v.maxBatchSize)) {
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
