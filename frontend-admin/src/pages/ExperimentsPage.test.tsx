import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ExperimentSummary, ExperimentView, ModelView } from '../api/types';
import { renderWithTheme } from '../test/render';
import { ExperimentsPage } from './ExperimentsPage';

const deployment = (version: number) => ({
  model: 'iris',
  version,
  device: 'cpu',
  instances: 1,
  intraOpThreads: 0,
  batching: { maxBatchSize: 64, maxQueueDelayMicros: 200, preferredBatchSizes: [], queueCapacity: 1024, defaultTimeoutMicros: 0, priorityLevels: 1 },
  state: 'READY' as const,
  provider: 'cpu',
  error: null,
});

const version = (n: number) => ({
  model: 'iris',
  version: n,
  status: 'READY' as const,
  statusReason: null,
  sha256: 'ab',
  sizeBytes: 600,
  opset: 17,
  producer: 'otimo',
  inputs: null,
  outputs: null,
  parentVersion: null,
  recipe: null,
  report: null,
  createdAt: '2026-01-01T00:00:00Z',
  deployment: deployment(n),
});

const model: ModelView = { name: 'iris', description: null, createdAt: '2026-01-01T00:00:00Z', versions: [version(1), version(2)] };

const summary: ExperimentSummary = {
  id: 4,
  model: 'iris',
  status: 'RUNNING',
  metric: 'errorRate',
  alpha: 0.05,
  autoPromote: false,
  controlVersion: 1,
  plannedPerVariant: 2300,
  variants: [
    { version: 1, weight: 50 },
    { version: 2, weight: 50 },
  ],
  winner: null,
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'admin',
  endedAt: null,
  endedBy: null,
};

const figures = (v: number, requests: number, errors: number) => ({
  version: v,
  weight: 50,
  requests,
  errors,
  errorRate: errors / requests,
  p50Millis: 1.2,
  p95Millis: 2.5,
  p99Millis: 4.1,
  accuracy: null,
  meanError: null,
  outcomes: 0,
  intervals: {
    errorRate: { low: errors / requests / 2, high: (errors / requests) * 1.5 },
    p99Millis: { low: 3.5, high: 5 },
  },
});

const detail: ExperimentView = {
  ...summary,
  variants: [figures(1, 2400, 48), figures(2, 2390, 120)],
  agreement: [],
  comparisons: [{ metric: 'errorRate', control: 1, variant: 2, difference: 0.03, low: 0.02, high: 0.04, pValue: 0.0001 }],
  verdict: { winner: 1, pValue: 0.0001, nominalAlpha: 0.02, requestsNeeded: 0, informationFraction: 1, looks: 4, concluded: true, text: 'B worse' },
  unknownOutcomeIds: 2,
  expiredOutcomeIds: 1,
};

function serve(experiments: ExperimentSummary[]) {
  const calls: { url: string; init?: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
      if (url.endsWith('/experiments/4/promote')) return json({ ...detail, status: 'PROMOTED', winner: 1 });
      if (url.endsWith('/experiments/4')) return json(detail);
      if (url.endsWith('/experiments') && init?.method === 'POST') return json({ ...detail, id: 5 }, 201);
      if (url.endsWith('/experiments')) return json(experiments);
      return json(model);
    }),
  );
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('ExperimentsPage', () => {
  it('shows the per-variant table, interval bars, comparisons and the verdict of the open experiment', async () => {
    serve([summary]);
    renderWithTheme(<ExperimentsPage model="iris" query={new URLSearchParams()} />);
    expect(await screen.findByTestId('verdict')).toHaveTextContent('B worse');
    const control = await screen.findByTestId('variant-row-1');
    expect(within(control).getByText('v1 (control)')).toBeInTheDocument();
    expect(within(control).getByText('2,400')).toBeInTheDocument();
    expect(within(control).getByText('2.00 %')).toBeInTheDocument();
    expect(within(screen.getByTestId('variant-row-2')).getByText('5.02 %')).toBeInTheDocument();
    expect(screen.getAllByTestId('interval-bar').length).toBeGreaterThanOrEqual(4);
    expect(within(screen.getByTestId('comparison-table')).getByText('+3.00 pt')).toBeInTheDocument();
    expect(screen.getByText(/2 unknown id\(s\), 1 expired/)).toBeInTheDocument();
    // an open experiment leaves no start form
    expect(screen.queryByRole('button', { name: 'Start experiment' })).not.toBeInTheDocument();
  });

  it('promotes the winner after confirmation', async () => {
    const calls = serve([summary]);
    renderWithTheme(<ExperimentsPage model="iris" query={new URLSearchParams()} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Promote v1' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('v1 (weight 100)');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Promote' }));
    await waitFor(() => expect(calls.some((c) => c.url.endsWith('/experiments/4/promote'))).toBe(true));
    const promote = calls.find((c) => c.url.endsWith('/experiments/4/promote'))!;
    expect(promote.init?.method).toBe('POST');
    expect(JSON.parse(String(promote.init?.body))).toEqual({});
    expect(await within(screen.getByTestId('experiment-detail')).findByText('promoted')).toBeInTheDocument();
  });

  it('starts an experiment from the form when none is open', async () => {
    const calls = serve([]);
    renderWithTheme(<ExperimentsPage model="iris" query={new URLSearchParams()} />);
    expect(await screen.findByText('No experiments yet.')).toBeInTheDocument();
    await userEvent.click(await screen.findByRole('button', { name: 'Start experiment' }));
    await waitFor(() => expect(calls.some((c) => c.url.endsWith('/experiments') && c.init?.method === 'POST')).toBe(true));
    const start = calls.find((c) => c.url.endsWith('/experiments') && c.init?.method === 'POST')!;
    expect(JSON.parse(String(start.init?.body))).toEqual({
      variants: [
        { version: 1, weight: 50 },
        { version: 2, weight: 50 },
      ],
      metric: 'errorRate',
      alpha: 0.05,
      minSamplePerVariant: null,
      autoPromote: false,
    });
  });
});
