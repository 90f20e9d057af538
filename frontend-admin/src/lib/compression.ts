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
  /** int8-dynamic and int8-static: one scale per output channel instead of one per tensor */
  perChannel: boolean;
  /**
   * int8-dynamic and int8-static: 'full' (±127) or 'reduced' (±63, 7-bit) weights; 'auto' lets the server pick
   * reduced where its CPU has no int8 dot-product instructions (AVX2 without VNNI), where full-range weights overflow
   */
  weightRange: 'auto' | 'full' | 'reduced';
  /** int8-dynamic: 'fused' (float activations, fused kernel) or 'integer' (MatMulInteger) */
  kernel: 'fused' | 'integer';
  /** int8-static: how activation ranges are taken from the calibration samples */
  calibrationMethod: 'minmax' | 'percentile';
  percentile: number;
  /** prune: fraction of weights set to zero, 0 <= sparsity < 1 */
  sparsity: number;
  scope: 'layer' | 'global';
  /** optimize: ONNX Runtime graph optimization level */
  level: 'basic' | 'extended' | 'all';
}

export interface CompressionForm {
  mode: 'method' | 'recipe';
  steps: StepForm[];
  calibrationSource: 'traffic' | 'upload';
  samples: number;
  uploadId: string | null;
  /** register the result even when it is neither faster nor smaller than its parent */
  keepIfNoGain: boolean;
}

/** A step with the server's defaults for its method. */
export function newStep(method: Method = 'int8-dynamic'): StepForm {
  return {
    method,
    perChannel: method === 'int8-static',
    weightRange: 'auto',
    kernel: 'fused',
    calibrationMethod: 'minmax',
    percentile: 99.999,
    sparsity: 0.5,
    scope: 'layer',
    level: 'basic',
  };
}

export function initialCompressionForm(): CompressionForm {
  return { mode: 'method', steps: [newStep()], calibrationSource: 'traffic', samples: 128, uploadId: null, keepIfNoGain: false };
}

/** The options object the server expects for the step's method (it rejects options it does not know). */
export function stepOptions(step: StepForm): Record<string, unknown> {
  // 'auto' is the server's default: leave it out so that recipes read as the user chose them.
  const range = step.weightRange === 'auto' ? {} : { weightRange: step.weightRange };
  switch (step.method) {
    case 'int8-dynamic':
      return { perChannel: step.perChannel, kernel: step.kernel, ...range };
    case 'int8-static':
      return step.calibrationMethod === 'percentile'
        ? { perChannel: step.perChannel, calibrationMethod: 'percentile', percentile: step.percentile, ...range }
        : { perChannel: step.perChannel, calibrationMethod: 'minmax', ...range };
    case 'prune':
      return { sparsity: step.sparsity, scope: step.scope };
    case 'optimize':
      return { level: step.level };
    default:
      return {};
  }
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
    const prefix = form.mode === 'recipe' ? `Step ${i + 1}: ` : '';
    if (s.method === 'prune' && !(s.sparsity >= 0 && s.sparsity < 1)) {
      errors.push(`${prefix}sparsity must be at least 0 and below 1.`);
    }
    if (s.method === 'int8-static' && s.calibrationMethod === 'percentile' && !(s.percentile > 90 && s.percentile <= 100)) {
      errors.push(`${prefix}percentile must be above 90 and at most 100.`);
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
  const keep = form.keepIfNoGain ? { keepIfNoGain: true } : {};
  if (form.mode === 'method') {
    const step = form.steps[0];
    return { method: step.method, options: stepOptions(step), calibration, ...keep };
  }
  return { recipe: form.steps.map(toStep), calibration, ...keep };
}

/** Job progress as a whole percentage. The server reports percent; a fraction below 1 is read as such. */
export function progressPercent(progress: number | null | undefined, status?: string): number {
  if (status === 'SUCCEEDED') return 100;
  if (typeof progress !== 'number' || !Number.isFinite(progress)) return 0;
  const percent = !Number.isInteger(progress) && progress < 1 ? progress * 100 : progress;
  return Math.max(0, Math.min(100, Math.round(percent)));
}
