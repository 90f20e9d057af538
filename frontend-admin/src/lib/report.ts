import type { CompressionReport, ReportSide } from '../api/types';
import { isNumber } from './format';

/**
 * The comparison a compression report boils down to: each figure for parent and child, their ratio and
 * whether the child got better. Reports may lack any field; such rows keep their label and show no ratio.
 */

export type Unit = 'bytes' | 'millis' | 'rowsPerSecond';

export interface ComparisonRow {
  key: string;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
  parent: number | null;
  child: number | null;
  /** child / parent, or null when either is missing or the parent is 0 */
  ratio: number | null;
  verdict: 'better' | 'worse' | 'same' | null;
}

const METRICS: { key: string; label: string; unit: Unit; higherIsBetter: boolean; pick: (s: ReportSide) => unknown }[] = [
  { key: 'size', label: 'Size', unit: 'bytes', higherIsBetter: false, pick: (s) => s.sizeBytes },
  { key: 'load', label: 'Load time', unit: 'millis', higherIsBetter: false, pick: (s) => s.loadMillis },
  { key: 'batch1.throughput', label: 'Throughput, batch 1', unit: 'rowsPerSecond', higherIsBetter: true, pick: (s) => s.batch1?.rowsPerSecond },
  { key: 'batch1.p50', label: 'Latency p50, batch 1', unit: 'millis', higherIsBetter: false, pick: (s) => s.batch1?.p50Millis },
  { key: 'batch32.throughput', label: 'Throughput, batch 32', unit: 'rowsPerSecond', higherIsBetter: true, pick: (s) => s.batch32?.rowsPerSecond },
  { key: 'batch32.p50', label: 'Latency p50, batch 32', unit: 'millis', higherIsBetter: false, pick: (s) => s.batch32?.p50Millis },
];

/** Differences within this fraction count as "same". */
const TOLERANCE = 0.02;

function numberOrNull(value: unknown): number | null {
  return isNumber(value) ? value : null;
}

export function compareReport(report: CompressionReport | null | undefined): ComparisonRow[] {
  const parent = (report?.parent ?? {}) as ReportSide;
  const child = (report?.child ?? {}) as ReportSide;
  return METRICS.map(({ key, label, unit, higherIsBetter, pick }) => {
    const p = numberOrNull(safePick(pick, parent));
    const c = numberOrNull(safePick(pick, child));
    const ratio = p !== null && c !== null && p !== 0 ? c / p : null;
    let verdict: ComparisonRow['verdict'] = null;
    if (ratio !== null) {
      if (Math.abs(ratio - 1) <= TOLERANCE) verdict = 'same';
      else verdict = ratio > 1 === higherIsBetter ? 'better' : 'worse';
    }
    return { key, label, unit, higherIsBetter, parent: p, child: c, ratio, verdict };
  });
}

function safePick(pick: (s: ReportSide) => unknown, side: ReportSide): unknown {
  try {
    return pick(side);
  } catch {
    return undefined;
  }
}

/** A ratio as a short phrase: "3.95× smaller", "1.80× faster", "same". */
export function describeRatio(row: ComparisonRow): string {
  if (row.ratio === null) return '';
  if (row.verdict === 'same') return 'about the same';
  const factor = row.ratio >= 1 ? row.ratio : 1 / row.ratio;
  const grew = row.ratio > 1;
  const word =
    row.unit === 'bytes'
      ? grew ? 'larger' : 'smaller'
      : row.unit === 'rowsPerSecond'
        ? grew ? 'faster' : 'slower'
        : grew ? 'slower' : 'faster';
  return `${factor.toFixed(2)}× ${word}`;
}

/** Bar lengths (0..100) for a pair, relative to the larger of the two. */
export function barLengths(row: ComparisonRow): { parent: number; child: number } {
  const max = Math.max(row.parent ?? 0, row.child ?? 0);
  if (max <= 0) return { parent: 0, child: 0 };
  return { parent: ((row.parent ?? 0) / max) * 100, child: ((row.child ?? 0) / max) * 100 };
}

export interface FidelityRow {
  key: string;
  label: string;
  value: string | number | null;
  kind: 'number' | 'percent' | 'text' | 'count';
}

export function fidelityRows(report: CompressionReport | null | undefined): FidelityRow[] {
  const f = (report?.fidelity ?? {}) as NonNullable<CompressionReport['fidelity']>;
  return [
    { key: 'maxAbsError', label: 'Max absolute error', value: numberOrNull(f.maxAbsError), kind: 'number' },
    { key: 'meanCosine', label: 'Mean cosine similarity', value: numberOrNull(f.meanCosine), kind: 'number' },
    { key: 'top1Agreement', label: 'Top-1 agreement', value: numberOrNull(f.top1Agreement), kind: 'percent' },
    { key: 'samples', label: 'Samples compared', value: numberOrNull(f.samples), kind: 'count' },
    { key: 'source', label: 'Sample source', value: typeof f.source === 'string' ? f.source : null, kind: 'text' },
  ];
}

/** The report's notes and extras as display lines; anything malformed is skipped. */
export function reportRemarks(report: CompressionReport | null | undefined): { notes: string[]; extras: [string, string][] } {
  const notes = Array.isArray(report?.notes) ? report.notes.filter((n): n is string => typeof n === 'string' && n.trim() !== '') : [];
  const raw = report?.extras;
  const extras: [string, string][] =
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])
      : [];
  return { notes, extras };
}
