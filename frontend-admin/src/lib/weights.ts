/**
 * Traffic weights of routing variants, kept as whole percentages that always add up to 100.
 * Moving one weight hands the difference to the others in proportion to what they already have,
 * so their relative split survives the change.
 */

export const TOTAL = 100;

function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(TOTAL, Math.max(0, Math.round(value)));
}

/**
 * Splits `total` into whole numbers proportional to `shares` (largest remainder method; ties go to the
 * earlier entry). All-zero shares split evenly.
 */
export function apportion(shares: number[], total: number): number[] {
  if (shares.length === 0) return [];
  const positive = shares.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  const sum = positive.reduce((a, b) => a + b, 0);
  const basis = sum > 0 ? positive : positive.map(() => 1);
  const basisSum = sum > 0 ? sum : basis.length;
  const exact = basis.map((s) => (s * total) / basisSum);
  const result = exact.map(Math.floor);
  let left = total - result.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let i = 0; left > 0; i = (i + 1) % order.length, left--) {
    result[order[i].index] += 1;
  }
  return result;
}

/** Weights scaled so they add up to 100 (even split when all are zero). */
export function normalize(weights: number[]): number[] {
  return apportion(weights, TOTAL);
}

/** An even split of 100 over `count` variants, e.g. 3 -> [34, 33, 33]. */
export function evenSplit(count: number): number[] {
  return apportion(new Array<number>(count).fill(1), TOTAL);
}

/**
 * Sets weight `index` to `value` (rounded, clamped to 0..100) and rebalances the others so the sum stays
 * 100. With a single variant its weight is always 100.
 */
export function rebalance(weights: number[], index: number, value: number): number[] {
  if (index < 0 || index >= weights.length) return [...weights];
  if (weights.length === 1) return [TOTAL];
  const target = clampPercent(value);
  const otherIndexes = weights.map((_, i) => i).filter((i) => i !== index);
  const shares = apportion(
    otherIndexes.map((i) => weights[i]),
    TOTAL - target,
  );
  const result = [...weights];
  result[index] = target;
  otherIndexes.forEach((i, k) => {
    result[i] = shares[k];
  });
  return result;
}

/** Removes a variant and spreads its share over the rest in proportion. */
export function removeAt(weights: number[], index: number): number[] {
  const rest = weights.filter((_, i) => i !== index);
  return rest.length === 0 ? [] : normalize(rest);
}

/** Adds a variant with weight 0 (the first variant gets 100). */
export function addVariant(weights: number[]): number[] {
  return weights.length === 0 ? [TOTAL] : [...weights, 0];
}

export function sum(weights: number[]): number {
  return weights.reduce((a, b) => a + b, 0);
}
