import { describe, expect, it } from 'vitest';
import { isDistribution, looksLikeClassifier, softmax, topK } from './classify';

describe('looksLikeClassifier', () => {
  it('accepts 2-D float outputs with at least two classes', () => {
    expect(looksLikeClassifier({ name: 'p', datatype: 'FP32', shape: [1, 3], data: [0.1, 0.2, 0.7] })).toBe(true);
  });

  it('refuses other ranks, integer types, one class and short data', () => {
    expect(looksLikeClassifier({ name: 'p', datatype: 'FP32', shape: [3], data: [1, 2, 3] })).toBe(false);
    expect(looksLikeClassifier({ name: 'p', datatype: 'INT64', shape: [1, 3], data: [1, 2, 3] })).toBe(false);
    expect(looksLikeClassifier({ name: 'p', datatype: 'FP32', shape: [3, 1], data: [1, 2, 3] })).toBe(false);
    expect(looksLikeClassifier({ name: 'p', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3] })).toBe(false);
  });
});

describe('topK', () => {
  it('ranks probabilities as given when a row already is a distribution', () => {
    const [row] = topK({ name: 'p', datatype: 'FP32', shape: [1, 4], data: [0.1, 0.6, 0.05, 0.25] }, 2);
    expect(row.softmaxed).toBe(false);
    expect(row.top).toEqual([
      { index: 1, probability: 0.6 },
      { index: 3, probability: 0.25 },
    ]);
  });

  it('applies softmax to logits, row by row', () => {
    const rows = topK({ name: 'logits', datatype: 'FP32', shape: [2, 2], data: [0, 0, 5, -5] }, 5);
    expect(rows[0].softmaxed).toBe(true);
    expect(rows[0].top.map((c) => c.index)).toEqual([0, 1]);
    expect(rows[0].top[0].probability).toBeCloseTo(0.5);
    expect(rows[1].top[0]).toMatchObject({ index: 0 });
    expect(rows[1].top[0].probability).toBeCloseTo(0.99995, 4);
  });

  it('has a numerically stable softmax', () => {
    const p = softmax([1000, 1000]);
    expect(p).toEqual([0.5, 0.5]);
    expect(isDistribution(p)).toBe(true);
  });
});
