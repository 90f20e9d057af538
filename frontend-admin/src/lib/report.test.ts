import { describe, expect, it } from 'vitest';
import type { CompressionReport } from '../api/types';
import { barLengths, compareReport, describeRatio, fidelityRows } from './report';

const full: CompressionReport = {
  parent: { sizeBytes: 4_000_000, loadMillis: 120, batch1: { rowsPerSecond: 1000, p50Millis: 1.0 }, batch32: { rowsPerSecond: 8000, p50Millis: 4 } },
  child: { sizeBytes: 1_000_000, loadMillis: 121, batch1: { rowsPerSecond: 1800, p50Millis: 0.5 }, batch32: { rowsPerSecond: 6000, p50Millis: 5.3 } },
  fidelity: { maxAbsError: 0.0123, meanCosine: 0.9991, top1Agreement: 0.985, samples: 128, source: 'traffic' },
};

const row = (report: CompressionReport | null | undefined, key: string) => compareReport(report).find((r) => r.key === key)!;

describe('compareReport', () => {
  it('computes child/parent ratios with a verdict that knows which direction is better', () => {
    expect(row(full, 'size')).toMatchObject({ parent: 4_000_000, child: 1_000_000, ratio: 0.25, verdict: 'better' });
    expect(row(full, 'batch1.throughput')).toMatchObject({ ratio: 1.8, verdict: 'better' });
    expect(row(full, 'batch1.p50')).toMatchObject({ ratio: 0.5, verdict: 'better' });
    expect(row(full, 'batch32.throughput')).toMatchObject({ ratio: 0.75, verdict: 'worse' });
    expect(row(full, 'batch32.p50').verdict).toBe('worse');
    expect(row(full, 'load').verdict).toBe('same');
  });

  it('phrases ratios as factors', () => {
    expect(describeRatio(row(full, 'size'))).toBe('4.00× smaller');
    expect(describeRatio(row(full, 'batch1.throughput'))).toBe('1.80× faster');
    expect(describeRatio(row(full, 'batch1.p50'))).toBe('2.00× faster');
    expect(describeRatio(row(full, 'batch32.throughput'))).toBe('1.33× slower');
    expect(describeRatio(row(full, 'batch32.p50'))).toBe('1.32× slower');
    expect(describeRatio(row(full, 'load'))).toBe('about the same');
  });

  it('leaves the ratio out when a side is missing, not a number, or the parent is zero', () => {
    const partial = {
      parent: { sizeBytes: 0, batch1: { rowsPerSecond: 'fast' } },
      child: { sizeBytes: 10, batch1: { rowsPerSecond: 5 } },
    } as unknown as CompressionReport;
    expect(row(partial, 'size')).toMatchObject({ parent: 0, child: 10, ratio: null, verdict: null });
    expect(row(partial, 'batch1.throughput')).toMatchObject({ parent: null, child: 5, ratio: null });
    expect(row(partial, 'batch32.p50')).toMatchObject({ parent: null, child: null, ratio: null });
    expect(describeRatio(row(partial, 'size'))).toBe('');
  });

  it('copes with absent or null sections', () => {
    expect(compareReport(null)).toHaveLength(6);
    expect(compareReport({ parent: null, child: { batch1: null } } as unknown as CompressionReport).every((r) => r.ratio === null)).toBe(true);
  });

  it('sizes bars relative to the larger value', () => {
    expect(barLengths(row(full, 'size'))).toEqual({ parent: 100, child: 25 });
    expect(barLengths(row(null, 'size'))).toEqual({ parent: 0, child: 0 });
  });
});

describe('fidelityRows', () => {
  it('lists every figure, with null for the missing ones', () => {
    expect(fidelityRows(full).map((r) => r.value)).toEqual([0.0123, 0.9991, 0.985, 128, 'traffic']);
    expect(fidelityRows({ fidelity: { meanCosine: 0.5 } }).map((r) => r.value)).toEqual([null, 0.5, null, null, null]);
  });
});
