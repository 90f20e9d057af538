import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { adminApi } from '../api/endpoints';
import { describeError } from '../api/errors';
import type { DeploymentStats } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { LiveLineChart, type SeriesPoint } from '../components/LiveLineChart';
import { formatMillis, formatNumber } from '../lib/format';
import { appendSample, usePolling } from '../lib/hooks';
import { href } from '../lib/router';

interface DeploymentSeries {
  model: string;
  version: number;
  latest: DeploymentStats | null;
  error: string | null;
  history: SeriesPoint[];
}

/** The batch-size histogram as chart rows, ordered by batch size. */
export function histogramRows(batchSizes: Record<string, number> | null | undefined): { size: string; count: number }[] {
  return Object.entries(batchSizes ?? {})
    .map(([size, count]) => ({ size, count: Number(count) || 0 }))
    .sort((a, b) => Number(a.size) - Number(b.size));
}

const key = (model: string, version: number) => `${model}@${version}`;

/** Every deployment's throughput, latency, queue depth and batch sizes, refreshed every 2 s. */
export function DashboardPage() {
  const [series, setSeries] = useState<Record<string, DeploymentSeries>>({});
  const [loaded, setLoaded] = useState(false);

  const error = usePolling(
    async () => {
      const models = await adminApi.listModels();
      const targets = models.flatMap((m) => (m.deployedVersions ?? []).map((version) => ({ model: m.name, version })));
      const results = await Promise.allSettled(targets.map((t) => adminApi.deploymentStats(t.model, t.version)));
      const time = new Date().toLocaleTimeString('en-GB');
      setSeries((previous) => {
        const next: Record<string, DeploymentSeries> = {};
        targets.forEach((t, i) => {
          const k = key(t.model, t.version);
          const before = previous[k] ?? { ...t, latest: null, error: null, history: [] };
          const r = results[i];
          if (r.status === 'fulfilled') {
            const s = r.value;
            next[k] = {
              ...before,
              latest: s,
              error: null,
              history: appendSample(before.history, {
                time,
                'req/s': s.requestsPerSecond,
                p50: s.p50Millis,
                p99: s.p99Millis,
                queue: s.queueDepth,
              }),
            };
          } else {
            next[k] = { ...before, error: describeError(r.reason) };
          }
        });
        return next;
      });
      setLoaded(true);
    },
    2000,
    true,
    [],
  );

  const deployments = Object.values(series).sort((a, b) => a.model.localeCompare(b.model) || a.version - b.version);
  return (
    <Stack>
      <Title order={2}>Dashboard</Title>
      <ErrorAlert error={error} />
      {loaded && deployments.length === 0 && <Text c="dimmed">Nothing is deployed.</Text>}
      {deployments.map((d) => (
        <DeploymentCard key={key(d.model, d.version)} deployment={d} />
      ))}
    </Stack>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </div>
  );
}

function DeploymentCard({ deployment }: { deployment: DeploymentSeries }) {
  const s = deployment.latest;
  const histogram = histogramRows(s?.batchSizes);
  return (
    <Card withBorder data-testid={`deployment-${deployment.model}-v${deployment.version}`}>
      <Stack>
        <Group justify="space-between">
          <Group gap="xs">
            <Anchor href={href('models', deployment.model)} fw={700}>
              {deployment.model}
            </Anchor>
            <Badge variant="outline">v{deployment.version}</Badge>
          </Group>
          <SimpleGrid cols={6} spacing="lg">
            <Figure label="requests" value={formatNumber(s?.requests, 0)} />
            <Figure label="errors" value={formatNumber(s?.errors, 0)} />
            <Figure label="req/s" value={formatNumber(s?.requestsPerSecond, 1)} />
            <Figure label="p50" value={formatMillis(s?.p50Millis)} />
            <Figure label="p99" value={formatMillis(s?.p99Millis)} />
            <Figure label="queue" value={formatNumber(s?.queueDepth, 0)} />
          </SimpleGrid>
        </Group>
        <ErrorAlert error={deployment.error} />
        <SimpleGrid cols={{ base: 1, md: 2, xl: 4 }}>
          <div>
            <Text size="sm" fw={600}>
              Throughput (req/s)
            </Text>
            <LiveLineChart data={deployment.history} unit="req/s" keys={['req/s']} height={160} />
          </div>
          <div>
            <Text size="sm" fw={600}>
              Latency (ms)
            </Text>
            <LiveLineChart data={deployment.history} unit="ms" keys={['p50', 'p99']} height={160} />
          </div>
          <div>
            <Text size="sm" fw={600}>
              Queue depth
            </Text>
            <LiveLineChart data={deployment.history} unit="requests" keys={['queue']} height={160} />
          </div>
          <div>
            <Text size="sm" fw={600}>
              Batch sizes
            </Text>
            {histogram.length === 0 ? (
              <Text size="sm" c="dimmed" h={160}>
                No batches yet.
              </Text>
            ) : (
              <ResponsiveContainer width="100%" height={160} initialDimension={{ width: 320, height: 160 }}>
                <BarChart data={histogram} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="size" fontSize={11} />
                  <YAxis fontSize={11} width={40} allowDecimals={false} />
                  <Tooltip formatter={(value) => `${String(value)} batches`} labelFormatter={(label) => `batch size ${String(label)}`} />
                  <Bar dataKey="count" fill="#0ca678" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            )}
          </div>
        </SimpleGrid>
      </Stack>
    </Card>
  );
}
