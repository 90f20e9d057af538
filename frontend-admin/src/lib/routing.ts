import type { Guard, RoutingPolicy, RoutingView } from '../api/types';
import { sum } from './weights';

/** The routing form and its translation to the policy the admin API stores. */

export interface RoutingForm {
  variants: { version: number; weight: number }[];
  stickyHeader: string;
  shadowEnabled: boolean;
  shadowVersion: number | null;
  shadowPercent: number;
  guardEnabled: boolean;
  guard: Guard;
}

export const DEFAULT_GUARD: Guard = { maxErrorRate: 0.05, maxP99Millis: 250, windowSeconds: 60 };

export function routingFormFrom(view: RoutingView | null | undefined): RoutingForm {
  return {
    variants: (view?.variants ?? []).map((v) => ({ version: v.version, weight: v.weight })),
    stickyHeader: view?.stickyHeader ?? '',
    shadowEnabled: view?.shadow != null,
    shadowVersion: view?.shadow?.version ?? null,
    shadowPercent: view?.shadow?.percent ?? 10,
    guardEnabled: view?.guard != null,
    guard: {
      maxErrorRate: view?.guard?.maxErrorRate ?? DEFAULT_GUARD.maxErrorRate,
      maxP99Millis: view?.guard?.maxP99Millis ?? DEFAULT_GUARD.maxP99Millis,
      windowSeconds: view?.guard?.windowSeconds ?? DEFAULT_GUARD.windowSeconds,
    },
  };
}

export function validateRouting(form: RoutingForm): string[] {
  const errors: string[] = [];
  if (form.variants.length > 0 && sum(form.variants.map((v) => v.weight)) !== 100) errors.push('Weights must add up to 100.');
  const versions = form.variants.map((v) => v.version);
  if (new Set(versions).size !== versions.length) errors.push('Each version may appear once.');
  if (form.shadowEnabled) {
    if (form.shadowVersion === null) errors.push('Choose the shadow version.');
    if (!(form.shadowPercent >= 0 && form.shadowPercent <= 100)) errors.push('Shadow percent lies between 0 and 100.');
  }
  if (form.guardEnabled) {
    const g = form.guard;
    if (!(g.maxErrorRate >= 0 && g.maxErrorRate <= 1)) errors.push('Guard error rate lies between 0 and 1.');
    if (!(Number.isInteger(g.maxP99Millis) && g.maxP99Millis >= 1)) errors.push('Guard p99 limit is a whole number of ms ≥ 1.');
    if (!(Number.isInteger(g.windowSeconds) && g.windowSeconds >= 1 && g.windowSeconds <= 3600)) {
      errors.push('Guard window is a whole number of seconds from 1 to 3600.');
    }
  }
  return errors;
}

export function toRoutingPolicy(form: RoutingForm): RoutingPolicy {
  const header = form.stickyHeader.trim();
  return {
    variants: form.variants.map((v) => ({ version: v.version, weight: v.weight })),
    stickyHeader: header === '' ? null : header,
    shadow: form.shadowEnabled && form.shadowVersion !== null ? { version: form.shadowVersion, percent: form.shadowPercent } : null,
    guard: form.guardEnabled ? { ...form.guard } : null,
  };
}
