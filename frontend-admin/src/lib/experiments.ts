import type { ExperimentMetric, ExperimentRequest, ExperimentSummary, ExperimentVerdict, Variant } from '../api/types';

/** The start form of an experiment as the page edits it. */
export interface ExperimentForm {
  variants: Variant[];
  metric: ExperimentMetric;
  alpha: number;
  /** empty: the server's default planned sample */
  minSamplePerVariant: number | '';
  autoPromote: boolean;
}

export const METRICS: { value: ExperimentMetric; label: string }[] = [
  { value: 'errorRate', label: 'Error rate (lower is better)' },
  { value: 'latency', label: 'Latency (lower is better)' },
  { value: 'accuracy', label: 'Accuracy on reported outcomes (higher is better)' },
];

/** A 50/50 split of the first two deployed versions, the older one as the control. */
export function defaultExperimentForm(deployed: number[]): ExperimentForm {
  const [a, b] = deployed;
  const variants = a !== undefined && b !== undefined ? [{ version: a, weight: 50 }, { version: b, weight: 50 }] : [];
  return { variants, metric: 'errorRate', alpha: 0.05, minSamplePerVariant: '', autoPromote: false };
}

/** What keeps the form from being sent, in the words the server would use. */
export function validateExperiment(form: ExperimentForm): string[] {
  const problems: string[] = [];
  if (form.variants.length < 2) problems.push('An experiment needs at least two variants; the first is the control.');
  if (form.variants.reduce((s, v) => s + v.weight, 0) <= 0) problems.push('Variant weights must sum to more than 0.');
  if (!(form.alpha > 0 && form.alpha <= 0.5)) problems.push('Alpha must be in (0, 0.5], e.g. 0.05.');
  if (form.minSamplePerVariant !== '' && !(Number.isInteger(form.minSamplePerVariant) && form.minSamplePerVariant >= 10)) {
    problems.push('The sample per variant must be a whole number of at least 10 (or empty for the default).');
  }
  return problems;
}

export function toExperimentRequest(form: ExperimentForm): ExperimentRequest {
  return {
    variants: form.variants,
    metric: form.metric,
    alpha: form.alpha,
    minSamplePerVariant: form.minSamplePerVariant === '' ? null : form.minSamplePerVariant,
    autoPromote: form.autoPromote,
  };
}

export function isOpen(e: { status: string }): boolean {
  return e.status === 'RUNNING' || e.status === 'CONCLUDED';
}

/** The experiment to show: the one asked for, else the open one, else the newest. */
export function pickExperiment(list: ExperimentSummary[], asked: number | null): number | null {
  if (asked !== null && list.some((e) => e.id === asked)) return asked;
  const open = list.find(isOpen);
  if (open) return open.id;
  return list.length > 0 ? list[0].id : null;
}

/** Green when a variant won, red when the control did, grey while undecided or without difference. */
export function verdictColor(verdict: ExperimentVerdict | null, control: number): string {
  if (!verdict || verdict.winner == null) return 'gray';
  return verdict.winner === control ? 'red' : 'teal';
}

/**
 * The upper end of a shared axis for interval bars: the largest finite estimate or bound, rounded up to a
 * "nice" number so that bars of different variants compare at a glance. At least `floor`.
 */
export function axisMax(values: (number | null | undefined)[], floor = 0): number {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const max = Math.max(floor, ...finite);
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}
