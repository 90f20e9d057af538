import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { adminApi } from '../api/endpoints';
import { describeError } from '../api/errors';
import type { ExperimentComparison, ExperimentSummary, ExperimentView } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { IntervalBar } from '../components/IntervalBar';
import { WeightsEditor } from '../components/WeightsEditor';
import {
  METRICS,
  axisMax,
  defaultExperimentForm,
  isOpen,
  pickExperiment,
  toExperimentRequest,
  validateExperiment,
  verdictColor,
  type ExperimentForm,
} from '../lib/experiments';
import { formatDate, formatMillis, formatNumber, formatPercent } from '../lib/format';
import { useAsync, usePolling } from '../lib/hooks';
import { href, replaceHash, withQuery } from '../lib/router';
import { ProblemsAlert } from '../components/ProblemsAlert';

const STATUS_COLORS: Record<string, string> = { RUNNING: 'blue', CONCLUDED: 'violet', PROMOTED: 'teal', STOPPED: 'gray' };

function ExperimentStatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light" data-testid="experiment-status">
      {status.toLowerCase()}
    </Badge>
  );
}

/**
 * A/B experiments of one model: start one (variants and weights, primary metric, alpha), list them, and follow
 * the selected one live: per-variant figures with interval bars, comparisons with the control, the verdict,
 * and Promote / Stop behind a confirmation.
 */
export function ExperimentsPage({ model, query }: { model: string; query: URLSearchParams }) {
  const modelState = useAsync(() => adminApi.getModel(model), [model]);
  const listState = useAsync(() => adminApi.listExperiments(model), [model]);
  const asked = query.get('id') ? Number(query.get('id')) : null;
  const list = listState.data ?? [];
  const selected = pickExperiment(list, asked);
  const open = list.find(isOpen) ?? null;

  const deployed = useMemo(
    () =>
      (modelState.data?.versions ?? [])
        .filter((v) => v.deployment != null)
        .map((v) => v.version)
        .sort((a, b) => a - b),
    [modelState.data],
  );

  const select = (id: number) => replaceHash(withQuery(href('models', model, 'experiments'), { id }));

  return (
    <Stack>
      <Title order={2}>Experiments {model}</Title>
      <ErrorAlert error={modelState.error ?? listState.error} />
      {listState.data && !open && modelState.data && (
        <StartExperiment
          model={model}
          deployed={deployed}
          onStarted={(e) => {
            listState.reload();
            select(e.id);
          }}
        />
      )}
      {listState.data && <ExperimentList experiments={list} selected={selected} onSelect={select} />}
      {selected !== null && <ExperimentDetail key={selected} model={model} id={selected} onChanged={listState.reload} />}
    </Stack>
  );
}

function StartExperiment({ model, deployed, onStarted }: { model: string; deployed: number[]; onStarted: (e: ExperimentView) => void }) {
  const [form, setForm] = useState<ExperimentForm>(() => defaultExperimentForm(deployed));
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const problems = validateExperiment(form);
  const update = (patch: Partial<ExperimentForm>) => setForm((f) => ({ ...f, ...patch }));

  useEffect(() => {
    if (form.variants.length === 0 && deployed.length >= 2) setForm(defaultExperimentForm(deployed));
  }, [deployed, form.variants.length]);

  const start = async () => {
    setShowErrors(true);
    if (problems.length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const started = await adminApi.startExperiment(model, toExperimentRequest(form));
      notifications.show({ color: 'teal', title: 'Experiment started', message: `${model}: traffic now follows the experiment's split` });
      onStarted(started);
    } catch (e) {
      setError(describeError(e));
    }
    setBusy(false);
  };

  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>Start an experiment</Title>
        <Text size="sm" c="dimmed">
          The first variant is the control. Starting sets the model&apos;s routing weights to these; the sticky header, shadow and
          guard stay.
        </Text>
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <WeightsEditor variants={form.variants} candidates={deployed} onChange={(variants) => update({ variants })} />
          <Stack>
            <NativeSelect
              label="Primary metric"
              data={METRICS}
              value={form.metric}
              onChange={(e) => update({ metric: e.currentTarget.value as ExperimentForm['metric'] })}
            />
            <NumberInput
              label="Alpha"
              description="Chance of declaring a winner when there is no difference, however often you look"
              min={0.001}
              max={0.5}
              step={0.01}
              decimalScale={3}
              value={form.alpha}
              onChange={(v) => update({ alpha: typeof v === 'number' ? v : Number.NaN })}
            />
            <NumberInput
              label="Sample per variant"
              description="Empty: enough to detect 5 % → 7 % with 80 % power"
              min={10}
              allowDecimal={false}
              value={form.minSamplePerVariant}
              onChange={(v) => update({ minSamplePerVariant: typeof v === 'number' ? v : '' })}
            />
            <Switch
              label="Promote the winner by itself when the verdict is reached and the canary guard is quiet"
              checked={form.autoPromote}
              onChange={(e) => update({ autoPromote: e.currentTarget.checked })}
            />
          </Stack>
        </SimpleGrid>
        <ProblemsAlert show={showErrors} title="Cannot start yet" problems={problems} />
        <ErrorAlert error={error} />
        <Group>
          <Button onClick={start} loading={busy}>
            Start experiment
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ExperimentList({
  experiments,
  selected,
  onSelect,
}: {
  experiments: ExperimentSummary[];
  selected: number | null;
  onSelect: (id: number) => void;
}) {
  if (experiments.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No experiments yet.
      </Text>
    );
  }
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        All experiments
      </Title>
      <Table fz="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Metric</Table.Th>
            <Table.Th>Variants</Table.Th>
            <Table.Th>Winner</Table.Th>
            <Table.Th>Started</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {experiments.map((e) => (
            <Table.Tr
              key={e.id}
              data-testid={`experiment-row-${e.id}`}
              onClick={() => onSelect(e.id)}
              style={{ cursor: 'pointer' }}
              bg={e.id === selected ? 'var(--mantine-color-blue-light)' : undefined}
            >
              <Table.Td>{e.id}</Table.Td>
              <Table.Td>
                <ExperimentStatusBadge status={e.status} />
              </Table.Td>
              <Table.Td>{e.metric}</Table.Td>
              <Table.Td>{e.variants.map((v) => `v${v.version} ${v.weight}%`).join(' · ')}</Table.Td>
              <Table.Td>{e.winner != null ? `v${e.winner}` : '—'}</Table.Td>
              <Table.Td>{formatDate(e.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function ExperimentDetail({ model, id, onChanged }: { model: string; id: number; onChanged: () => void }) {
  const [experiment, setExperiment] = useState<ExperimentView | null>(null);
  const [promoting, setPromoting] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [promoteVersion, setPromoteVersion] = useState<number | null>(null);
  const live = experiment === null || isOpen(experiment);
  const error = usePolling(
    async () => {
      setExperiment(await adminApi.getExperiment(model, id));
    },
    2000,
    live,
    [model, id],
  );

  if (!experiment) return <ErrorAlert error={error} />;
  const control = experiment.controlVersion;
  const verdict = experiment.verdict;
  const chosen = promoteVersion ?? verdict?.winner ?? null;
  // one axis per column, from the variants that have figures, so bars compare at a glance
  const measured = experiment.variants.filter((v) => v.requests > 0);
  const latencyMax = axisMax(measured.flatMap((v) => [v.p99Millis, v.intervals.p99Millis?.high]));
  const rateMax = axisMax(measured.flatMap((v) => [v.errorRate, v.intervals.errorRate?.high]), 0.01);

  return (
    <Card withBorder data-testid="experiment-detail">
      <Stack>
        <Group justify="space-between">
          <Group>
            <Title order={4}>Experiment {experiment.id}</Title>
            <ExperimentStatusBadge status={experiment.status} />
            <Text size="sm" c="dimmed">
              {experiment.metric}, alpha {experiment.alpha}, {formatNumber(experiment.plannedPerVariant, 0)} per variant
              {experiment.autoPromote ? ', promotes by itself' : ''}
            </Text>
          </Group>
          {isOpen(experiment) && (
            <Group>
              <NativeSelect
                aria-label="Version to promote"
                data={[
                  { value: '', label: verdict?.winner != null ? `winner (v${verdict.winner})` : 'choose…' },
                  ...experiment.variants.map((v) => ({ value: String(v.version), label: `v${v.version}` })),
                ]}
                value={promoteVersion === null ? '' : String(promoteVersion)}
                onChange={(e) => setPromoteVersion(e.currentTarget.value ? Number(e.currentTarget.value) : null)}
              />
              <Button onClick={() => setPromoting(true)} disabled={chosen === null}>
                Promote{chosen !== null ? ` v${chosen}` : ''}
              </Button>
              <Button variant="default" onClick={() => setStopping(true)}>
                Stop
              </Button>
            </Group>
          )}
        </Group>
        <ErrorAlert error={error} />
        {verdict && (
          <Alert color={verdictColor(verdict, control)} title={verdict.text} data-testid="verdict">
            <Text size="sm">
              {verdict.winner != null ? `Winner: v${verdict.winner}. ` : ''}
              p = {formatNumber(verdict.pValue, 4)}
              {verdict.nominalAlpha != null ? ` (needs ≤ ${formatNumber(verdict.nominalAlpha, 4)} at this look)` : ''}; {verdict.looks} look
              {verdict.looks === 1 ? '' : 's'} counted; {Math.round(verdict.informationFraction * 100)} % of the planned sample.
            </Text>
          </Alert>
        )}
        <Table.ScrollContainer minWidth={900}>
          <Table fz="sm" data-testid="variant-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>Weight</Table.Th>
                <Table.Th>Requests</Table.Th>
                <Table.Th>Error rate</Table.Th>
                <Table.Th>p50 / p95 / p99</Table.Th>
                <Table.Th>Accuracy</Table.Th>
                <Table.Th>Mean error</Table.Th>
                <Table.Th>Outcomes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {experiment.variants.map((v) => (
                <Table.Tr key={v.version} data-testid={`variant-row-${v.version}`}>
                  <Table.Td>
                    v{v.version}
                    {v.version === control ? ' (control)' : ''}
                  </Table.Td>
                  <Table.Td>{v.weight} %</Table.Td>
                  <Table.Td>{formatNumber(v.requests, 0)}</Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Text size="sm">{formatPercent(v.errorRate, 2)}</Text>
                      {v.requests > 0 && (
                        <IntervalBar
                          label={`error rate v${v.version}`}
                          estimate={v.errorRate}
                          low={v.intervals.errorRate?.low}
                          high={v.intervals.errorRate?.high}
                          max={rateMax}
                          format={(x) => formatPercent(x, 2)}
                        />
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Text size="sm">
                        {formatMillis(v.p50Millis)} / {formatMillis(v.p95Millis)} / {formatMillis(v.p99Millis)}
                      </Text>
                      {v.requests > 0 && (
                        <IntervalBar
                          label={`p99 v${v.version}`}
                          estimate={v.p99Millis}
                          low={v.intervals.p99Millis?.low}
                          high={v.intervals.p99Millis?.high}
                          max={latencyMax}
                          format={formatMillis}
                        />
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Text size="sm">{formatPercent(v.accuracy)}</Text>
                      {v.accuracy != null && (
                        <IntervalBar
                          label={`accuracy v${v.version}`}
                          estimate={v.accuracy}
                          low={v.intervals.accuracy?.low}
                          high={v.intervals.accuracy?.high}
                          max={1}
                          format={(x) => formatPercent(x)}
                        />
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>{formatNumber(v.meanError, 4)}</Table.Td>
                  <Table.Td>{formatNumber(v.outcomes, 0)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Comparisons comparisons={experiment.comparisons} />
        {experiment.agreement.length > 0 && (
          <Text size="sm">
            Top-1 agreement with v{control} on shadowed traffic:{' '}
            {experiment.agreement
              .map((a) => `v${a.version} ${formatPercent(a.rate)} (${formatPercent(a.low)} – ${formatPercent(a.high)}, ${a.compared} compared)`)
              .join('; ')}
          </Text>
        )}
        <Text size="sm" c="dimmed">
          Outcomes not joined: {experiment.unknownOutcomeIds} unknown id(s), {experiment.expiredOutcomeIds} expired.
          {experiment.endedAt ? ` Ended ${formatDate(experiment.endedAt)} by ${experiment.endedBy}.` : ''}
        </Text>
      </Stack>
      <ConfirmDialog
        opened={promoting}
        title={`Promote v${chosen ?? ''}`}
        message={`Send all unversioned requests for ${model} to v${chosen ?? ''} (weight 100) and end experiment ${id}?`}
        confirmLabel="Promote"
        onClose={() => setPromoting(false)}
        onConfirm={async () => {
          setExperiment(await adminApi.promoteExperiment(model, id, promoteVersion));
          notifications.show({ color: 'teal', title: 'Promoted', message: `${model}: v${chosen ?? ''} now takes all traffic` });
          onChanged();
        }}
      />
      <ConfirmDialog
        opened={stopping}
        title="Stop experiment"
        message={`End experiment ${id} without promotion? The routing stays as it is.`}
        confirmLabel="Stop"
        onClose={() => setStopping(false)}
        onConfirm={async () => {
          setExperiment(await adminApi.stopExperiment(model, id));
          onChanged();
        }}
      />
    </Card>
  );
}

function formatDifference(c: ExperimentComparison, value: number | null): string {
  if (c.metric === 'latency') return formatMillis(value);
  return value == null ? '—' : `${value > 0 ? '+' : ''}${(value * 100).toFixed(2)} pt`;
}

function Comparisons({ comparisons }: { comparisons: ExperimentComparison[] }) {
  if (comparisons.length === 0) return null;
  return (
    <Table fz="sm" data-testid="comparison-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Metric</Table.Th>
          <Table.Th>Variant vs control</Table.Th>
          <Table.Th>Difference</Table.Th>
          <Table.Th>Interval</Table.Th>
          <Table.Th>p-value</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {comparisons.map((c) => (
          <Table.Tr key={`${c.metric}-${c.variant}`}>
            <Table.Td>{c.metric}</Table.Td>
            <Table.Td>
              v{c.variant} vs v{c.control}
            </Table.Td>
            <Table.Td>{formatDifference(c, c.difference)}</Table.Td>
            <Table.Td>
              {formatDifference(c, c.low)} … {formatDifference(c, c.high)}
            </Table.Td>
            <Table.Td>{formatNumber(c.pValue, 4)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
