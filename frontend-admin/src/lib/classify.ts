import type { InferTensor } from '../api/types';
import { isFloatType } from './signature';

/** Reading classifier outputs: a 2-D float tensor [N, C] holds one score row per input row. */

export function looksLikeClassifier(output: InferTensor): boolean {
  if (!isFloatType(output.datatype) || output.shape.length !== 2) return false;
  const [rows, classes] = output.shape;
  return rows >= 1 && classes >= 2 && output.data.length === rows * classes && output.data.every((v) => typeof v === 'number');
}

/** True when a row already is a probability distribution (non-negative, sums to 1). */
export function isDistribution(row: number[]): boolean {
  if (row.some((v) => v < 0 || v > 1)) return false;
  const total = row.reduce((a, b) => a + b, 0);
  return Math.abs(total - 1) < 1e-3;
}

export function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export interface RankedClass {
  index: number;
  probability: number;
}

export interface ClassifiedRow {
  /** true when the scores were logits and softmax was applied to read them as probabilities */
  softmaxed: boolean;
  top: RankedClass[];
}

/** The k most likely classes of each row, highest first (ties: lower class index first). */
export function topK(output: InferTensor, k = 5): ClassifiedRow[] {
  const [rows, classes] = output.shape;
  const data = output.data as number[];
  const result: ClassifiedRow[] = [];
  for (let r = 0; r < rows; r++) {
    const scores = data.slice(r * classes, (r + 1) * classes);
    const softmaxed = !isDistribution(scores);
    const probabilities = softmaxed ? softmax(scores) : scores;
    const top = probabilities
      .map((probability, index) => ({ index, probability }))
      .sort((a, b) => b.probability - a.probability || a.index - b.index)
      .slice(0, Math.min(k, classes));
    result.push({ softmaxed, top });
  }
  return result;
}
