import type { CompressionRequest, CompressionStep } from '../api/types';

/** The compression form: one method or a chain of them (a recipe), with calibration settings. */

export const METHODS = ['int8-dynamic', 'int8-static', 'fp16', 'prune', 'optimize'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  'int8-dynamic': 'INT8 dynamic quantization',
  'int8-static': 'INT8 static quantization (calibrated)',
  fp16: 'FP16 conversion',
  prune: 'Magnitude pruning',
  optimize: 'Graph optimization',
};

export interface StepForm {
  method: Method;
  perChannel: boolean;
  sparsity: number;
}

export interface CompressionForm {
  mode: 'method' | 'recipe';
  steps: StepForm[];
  calibrationSource: 'traffic' | 'upload';
  samples: number;
  uploadId: string | null;
}

export function newStep(method: Method = 'int8-dynamic'): StepForm {
  return { method, perChannel: false, sparsity: 0.5 };
}

export function initialCompressionForm(): CompressionForm {
  return { mode: 'method', steps: [newStep()], calibrationSource: 'traffic', samples: 128, uploadId: null };
}

export function hasPerChannel(method: Method): boolean {
  return method === 'int8-dynamic' || method === 'int8-static';
}

export function stepOptions(step: StepForm): Record<string, unknown> {
  if (hasPerChannel(step.method)) return { perChannel: step.perChannel };
  if (step.method === 'prune') return { sparsity: step.sparsity };
  return {};
}

function toStep(step: StepForm): CompressionStep {
  return { method: step.method, options: stepOptions(step) };
}

/** Problems that keep the form from being sent; empty when it is complete. */
export function validateCompression(form: CompressionForm): string[] {
  const errors: string[] = [];
  const steps = form.mode === 'method' ? form.steps.slice(0, 1) : form.steps;
  if (steps.length === 0) errors.push('Add at least one step to the recipe.');
  steps.forEach((s, i) => {
    if (s.method === 'prune' && !(s.sparsity >= 0 && s.sparsity <= 1)) {
      errors.push(`${form.mode === 'recipe' ? `Step ${i + 1}: ` : ''}sparsity must lie between 0 and 1.`);
    }
  });
  if (!Number.isInteger(form.samples) || form.samples < 1) errors.push('Calibration samples must be a whole number ≥ 1.');
  if (form.calibrationSource === 'upload' && !form.uploadId) errors.push('Upload a calibration set first, or calibrate on traffic.');
  return errors;
}

export function buildCompressionRequest(form: CompressionForm): CompressionRequest {
  const calibration = {
    source: form.calibrationSource,
    samples: form.samples,
    ...(form.calibrationSource === 'upload' && form.uploadId ? { uploadId: form.uploadId } : {}),
  };
  if (form.mode === 'method') {
    const step = form.steps[0];
    return { method: step.method, options: stepOptions(step), calibration };
  }
  return { recipe: form.steps.map(toStep), calibration };
}

/** Job progress as a percentage; the server may report a fraction (0..1) or a percentage. */
export function progressPercent(progress: number | null | undefined, status?: string): number {
  if (status === 'SUCCEEDED') return 100;
  if (typeof progress !== 'number' || !Number.isFinite(progress)) return 0;
  const percent = progress <= 1 ? progress * 100 : progress;
  return Math.max(0, Math.min(100, Math.round(percent)));
}
