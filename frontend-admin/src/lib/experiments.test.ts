import { describe, expect, it } from 'vitest';
import type { ExperimentSummary } from '../api/types';
import { axisMax, defaultExperimentForm, pickExperiment, toExperimentRequest, validateExperiment, verdictColor } from './experiments';

const summary = (id: number, status: ExperimentSummary['status']): ExperimentSummary => ({
  id,
  model: 'm',
  status,
  metric: 'errorRate',
  alpha: 0.05,
  autoPromote: false,
  controlVersion: 1,
  plannedPerVariant: 2300,
  variants: [],
  winner: null,
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'admin',
  endedAt: null,
  endedBy: null,
});

describe('experiment helpers', () => {
  it('starts from a 50/50 split of the two oldest deployed versions', () => {
    expect(defaultExperimentForm([1, 2, 3]).variants).toEqual([
      { version: 1, weight: 50 },
      { version: 2, weight: 50 },
    ]);
    expect(defaultExperimentForm([1]).variants).toEqual([]);
  });

  it('says what keeps a form from being sent', () => {
    const form = defaultExperimentForm([1, 2]);
    expect(validateExperiment(form)).toEqual([]);
    expect(validateExperiment({ ...form, variants: form.variants.slice(0, 1) })[0]).toContain('at least two variants');
    expect(validateExperiment({ ...form, alpha: 0.7 })[0]).toContain('Alpha');
    expect(validateExperiment({ ...form, minSamplePerVariant: 3 })[0]).toContain('at least 10');
  });

  it('sends an empty sample as the server default', () => {
    expect(toExperimentRequest(defaultExperimentForm([1, 2])).minSamplePerVariant).toBeNull();
    expect(toExperimentRequest({ ...defaultExperimentForm([1, 2]), minSamplePerVariant: 500 }).minSamplePerVariant).toBe(500);
  });

  it('shows the asked experiment, else the open one, else the newest', () => {
    const list = [summary(3, 'STOPPED'), summary(2, 'RUNNING'), summary(1, 'PROMOTED')];
    expect(pickExperiment(list, 1)).toBe(1);
    expect(pickExperiment(list, 99)).toBe(2);
    expect(pickExperiment([summary(3, 'STOPPED'), summary(1, 'PROMOTED')], null)).toBe(3);
    expect(pickExperiment([], null)).toBeNull();
  });

  it('colours the verdict by who won', () => {
    const verdict = { winner: 2, pValue: 0.001, nominalAlpha: 0.01, requestsNeeded: 0, informationFraction: 1, looks: 3, concluded: true, text: 'B better' };
    expect(verdictColor(verdict, 1)).toBe('teal');
    expect(verdictColor({ ...verdict, winner: 1 }, 1)).toBe('red');
    expect(verdictColor({ ...verdict, winner: null }, 1)).toBe('gray');
  });

  it('rounds the shared axis of interval bars up to a nice number', () => {
    expect(axisMax([3.2, 7.9, null])).toBe(10);
    expect(axisMax([0.012, 0.03])).toBe(0.05);
    expect(axisMax([0.001], 0.01)).toBe(0.01);
    expect(axisMax([])).toBe(1);
  });
});
