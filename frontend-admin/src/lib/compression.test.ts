import { describe, expect, it } from 'vitest';
import { buildCompressionRequest, initialCompressionForm, newStep, progressPercent, validateCompression, type CompressionForm } from './compression';

describe('buildCompressionRequest', () => {
  it('sends a single method with its options and the calibration', () => {
    const form: CompressionForm = { ...initialCompressionForm(), steps: [{ ...newStep('int8-dynamic'), perChannel: true }] };
    expect(buildCompressionRequest(form)).toEqual({
      method: 'int8-dynamic',
      options: { perChannel: true, kernel: 'fused' },
      calibration: { source: 'traffic', samples: 128 },
    });
  });

  it('sends the weight range only when it is not the server default', () => {
    const reduced: CompressionForm = { ...initialCompressionForm(), steps: [{ ...newStep('int8-static'), weightRange: 'reduced' }] };
    expect(buildCompressionRequest(reduced).options).toEqual({ perChannel: true, calibrationMethod: 'minmax', weightRange: 'reduced' });
    const full: CompressionForm = { ...initialCompressionForm(), steps: [{ ...newStep('int8-dynamic'), weightRange: 'full' }] };
    expect(buildCompressionRequest(full).options).toEqual({ perChannel: false, kernel: 'fused', weightRange: 'full' });
    expect(buildCompressionRequest(initialCompressionForm()).options).not.toHaveProperty('weightRange');
  });

  it('asks to keep a result without gain only when the operator says so', () => {
    expect(buildCompressionRequest(initialCompressionForm())).not.toHaveProperty('keepIfNoGain');
    expect(buildCompressionRequest({ ...initialCompressionForm(), keepIfNoGain: true }).keepIfNoGain).toBe(true);
  });

  it('sends a recipe as a chain of steps', () => {
    const form: CompressionForm = {
      ...initialCompressionForm(),
      mode: 'recipe',
      steps: [
        { ...newStep('prune'), sparsity: 0.3 },
        { ...newStep('int8-static'), calibrationMethod: 'percentile', percentile: 99.9 },
        { ...newStep('optimize'), level: 'extended' },
        newStep('fp16'),
      ],
      calibrationSource: 'upload',
      uploadId: 'u-1',
      samples: 64,
    };
    expect(buildCompressionRequest(form)).toEqual({
      recipe: [
        { method: 'prune', options: { sparsity: 0.3, scope: 'layer' } },
        { method: 'int8-static', options: { perChannel: true, calibrationMethod: 'percentile', percentile: 99.9 } },
        { method: 'optimize', options: { level: 'extended' } },
        { method: 'fp16', options: {} },
      ],
      calibration: { source: 'upload', samples: 64, uploadId: 'u-1' },
    });
  });
});

describe('newStep', () => {
  it("starts from the server's defaults: per-channel only for int8-static", () => {
    expect(newStep('int8-dynamic').perChannel).toBe(false);
    expect(newStep('int8-static').perChannel).toBe(true);
  });
});

describe('validateCompression', () => {
  it('accepts the initial form', () => {
    expect(validateCompression(initialCompressionForm())).toEqual([]);
  });

  it('catches sparsity out of range, bad sample counts, a missing upload and an empty recipe', () => {
    const form: CompressionForm = {
      ...initialCompressionForm(),
      mode: 'recipe',
      steps: [{ ...newStep('prune'), sparsity: 1 }, { ...newStep('int8-static'), calibrationMethod: 'percentile', percentile: 80 }],
      samples: 0,
      calibrationSource: 'upload',
    };
    expect(validateCompression(form)).toEqual([
      'Step 1: sparsity must be at least 0 and below 1.',
      'Step 2: percentile must be above 90 and at most 100.',
      'Calibration samples must be a whole number ≥ 1.',
      'Upload a calibration set first, or calibrate on traffic.',
    ]);
    expect(validateCompression({ ...initialCompressionForm(), mode: 'recipe', steps: [] })).toEqual(['Add at least one step to the recipe.']);
  });
});

describe('progressPercent', () => {
  it('reads percentages, and fractions below 1', () => {
    expect(progressPercent(42)).toBe(42);
    expect(progressPercent(1)).toBe(1);
    expect(progressPercent(0)).toBe(0);
    expect(progressPercent(0.42)).toBe(42);
    expect(progressPercent(null)).toBe(0);
    expect(progressPercent(250)).toBe(100);
    expect(progressPercent(0.3, 'SUCCEEDED')).toBe(100);
  });
});
