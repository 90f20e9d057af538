import { describe, expect, it } from 'vitest';
import { routingFormFrom, toRoutingPolicy, validateRouting } from './routing';

describe('routing form', () => {
  it('round-trips a stored policy', () => {
    const policy = {
      variants: [
        { version: 1, weight: 50 },
        { version: 2, weight: 50 },
      ],
      stickyHeader: 'X-User-Id',
      shadow: { version: 3, percent: 10 },
      guard: { maxErrorRate: 0.02, maxP99Millis: 100, windowSeconds: 30 },
    };
    expect(toRoutingPolicy(routingFormFrom(policy))).toEqual(policy);
  });

  it('sends null for what is switched off or left empty', () => {
    const form = { ...routingFormFrom({ variants: [{ version: 1, weight: 100 }], stickyHeader: null, shadow: null, guard: null }), stickyHeader: '  ' };
    expect(toRoutingPolicy(form)).toEqual({ variants: [{ version: 1, weight: 100 }], stickyHeader: null, shadow: null, guard: null });
  });

  it('fills guard fields the server left null with defaults', () => {
    const form = routingFormFrom({ variants: [], stickyHeader: null, shadow: null, guard: { maxErrorRate: null, maxP99Millis: 80, windowSeconds: 60 } as never });
    expect(form.guard).toEqual({ maxErrorRate: 0.05, maxP99Millis: 80, windowSeconds: 60 });
  });

  it('names every problem', () => {
    const form = {
      ...routingFormFrom(null),
      variants: [
        { version: 1, weight: 60 },
        { version: 1, weight: 30 },
      ],
      shadowEnabled: true,
      guardEnabled: true,
      guard: { maxErrorRate: 2, maxP99Millis: 0.5, windowSeconds: 7200 },
    };
    expect(validateRouting(form)).toEqual([
      'Weights must add up to 100.',
      'Each version may appear once.',
      'Choose the shadow version.',
      'Guard error rate lies between 0 and 1.',
      'Guard p99 limit is a whole number of ms ≥ 1.',
      'Guard window is a whole number of seconds from 1 to 3600.',
    ]);
  });
});
