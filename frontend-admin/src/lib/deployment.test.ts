import { describe, expect, it } from 'vitest';
import type { DeploymentView } from '../api/types';
import { initialDeploymentValues, parseDevice, toDeploymentRequest, validateDeployment } from './deployment';

describe('deployment form', () => {
  it('reads devices, including an indexed GPU', () => {
    expect(parseDevice('cuda:1')).toEqual({ kind: 'cuda:N', index: 1 });
    expect(parseDevice('tensorrt')).toEqual({ kind: 'tensorrt', index: 0 });
    expect(parseDevice('tensorrt:3')).toEqual({ kind: 'tensorrt:N', index: 3 });
    expect(parseDevice(null)).toEqual({ kind: 'cpu', index: 0 });
  });

  it("starts a new deployment from the server's defaults", () => {
    expect(toDeploymentRequest(initialDeploymentValues(null))).toEqual({
      device: 'cpu',
      instances: 1,
      intraOpThreads: 0,
      batching: { maxBatchSize: 64, maxQueueDelayMicros: 200, preferredBatchSizes: [], queueCapacity: 1024, defaultTimeoutMicros: 0, priorityLevels: 1 },
    });
  });

  it('round-trips an existing deployment', () => {
    const existing = {
      model: 'm',
      version: 1,
      device: 'cuda:2',
      instances: 2,
      intraOpThreads: 4,
      batching: { maxBatchSize: 32, maxQueueDelayMicros: 500, preferredBatchSizes: [8, 16], queueCapacity: 100, defaultTimeoutMicros: 0, priorityLevels: 2 },
      state: 'READY',
      provider: 'cuda',
      error: null,
    } satisfies DeploymentView;
    const { model: _m, version: _v, state: _s, provider: _p, error: _e, ...request } = existing;
    expect(toDeploymentRequest(initialDeploymentValues(existing))).toEqual(request);
  });

  it('flags impossible values', () => {
    const values = { ...initialDeploymentValues(null), instances: 0, maxBatchSize: 4, preferredBatchSizes: '2, 8', intraOpThreads: Number.NaN };
    expect(validateDeployment(values)).toEqual({
      instances: 'At least 1 instance',
      intraOpThreads: 'A whole number ≥ 0 (0 lets the runtime choose)',
      preferredBatchSizes: 'Preferred sizes cannot exceed the max batch size (4)',
    });
    expect(validateDeployment({ ...values, instances: 1, intraOpThreads: 0, preferredBatchSizes: '2, x' })).toEqual({
      preferredBatchSizes: 'Comma-separated whole numbers > 0',
    });
    expect(validateDeployment({ ...initialDeploymentValues(null), maxBatchSize: 5000, priorityLevels: 17 })).toEqual({
      maxBatchSize: 'Between 1 and 4096',
      priorityLevels: 'Between 1 and 16',
    });
  });
});
