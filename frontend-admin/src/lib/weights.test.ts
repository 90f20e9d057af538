import { describe, expect, it } from 'vitest';
import { addVariant, apportion, evenSplit, normalize, rebalance, removeAt, sum } from './weights';

describe('rebalance', () => {
  it('spreads the difference over the others in proportion to their weights', () => {
    expect(rebalance([50, 30, 20], 0, 80)).toEqual([80, 12, 8]);
  });

  it('gives the rest to the only other variant', () => {
    expect(rebalance([100, 0], 0, 50)).toEqual([50, 50]);
    expect(rebalance([50, 50], 1, 70)).toEqual([30, 70]);
  });

  it('splits evenly among others that all had zero', () => {
    expect(rebalance([100, 0, 0], 0, 40)).toEqual([40, 30, 30]);
  });

  it('clamps to 0..100 and rounds to whole percent', () => {
    expect(rebalance([50, 50], 0, 140)).toEqual([100, 0]);
    expect(rebalance([50, 50], 0, -5)).toEqual([0, 100]);
    expect(rebalance([50, 50], 0, 33.6)).toEqual([34, 66]);
    expect(rebalance([50, 50], 0, Number.NaN)).toEqual([0, 100]);
  });

  it('keeps a single variant at 100', () => {
    expect(rebalance([100], 0, 30)).toEqual([100]);
  });

  it('ignores an index outside the list', () => {
    expect(rebalance([60, 40], 5, 10)).toEqual([60, 40]);
  });

  it('always sums to 100 and never goes negative', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let round = 0; round < 500; round++) {
      const count = 2 + Math.floor(random() * 5);
      const weights = normalize(Array.from({ length: count }, () => Math.floor(random() * 50)));
      const next = rebalance(weights, Math.floor(random() * count), random() * 120 - 10);
      expect(sum(next)).toBe(100);
      next.forEach((w) => {
        expect(Number.isInteger(w)).toBe(true);
        expect(w).toBeGreaterThanOrEqual(0);
      });
    }
  });
});

describe('apportion and friends', () => {
  it('hands leftover units to the largest remainders, earlier entries first on ties', () => {
    expect(evenSplit(3)).toEqual([34, 33, 33]);
    expect(evenSplit(6)).toEqual([17, 17, 17, 17, 16, 16]);
    expect(apportion([1, 1], 5)).toEqual([3, 2]);
  });

  it('normalizes weights that do not add up to 100', () => {
    expect(normalize([1, 3])).toEqual([25, 75]);
    expect(normalize([0, 0])).toEqual([50, 50]);
    expect(normalize([])).toEqual([]);
  });

  it('spreads a removed variant over the rest', () => {
    expect(removeAt([50, 25, 25], 0)).toEqual([50, 50]);
    expect(removeAt([100], 0)).toEqual([]);
  });

  it('adds new variants at 0, except the first which takes everything', () => {
    expect(addVariant([])).toEqual([100]);
    expect(addVariant([100])).toEqual([100, 0]);
  });
});
