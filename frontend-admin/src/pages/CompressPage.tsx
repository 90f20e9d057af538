import { useEffect, useMemo, useState } from 'react';
import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Card,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Progress,
  Radio,
  SegmentedControl,
  Select,
  Slider,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { adminApi } from '../api/endpoints';
import { describeError } from '../api/errors';
import type { CalibrationSet, CompressionJob, CompressionReport } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { ReportView } from '../components/ReportView';
import { StatusBadge } from '../components/StatusBadge';
import { UploadDropzone } from '../components/UploadDropzone';
import {
  METHODS,
  METHOD_LABELS,
  buildCompressionRequest,
  initialCompressionForm,
  newStep,
  progressPercent,
  validateCompression,
  type CompressionForm,
  type Method,
  type StepForm,
} from '../lib/compression';
import { formatDate, formatRecipe } from '../lib/format';
import { useAsync, usePolling } from '../lib/hooks';
import { href, replaceHash, withQuery } from '../lib/router';
import { ProblemsAlert } from '../components/ProblemsAlert';

export function CompressPage({ model, query }: { model: string; query: URLSearchParams }) {
  const { data, error } = useAsync(() => adminApi.getModel(model), [model]);
  const readyVersions = useMemo(
    () => (data?.versions ?? []).filter((v) => v.status === 'READY').sort((a, b) => b.version - a.version),
    [data],
  );
  const queryVersion = Number(query.get('version'));
  const [version, setVersion] = useState<number | null>(Number.isInteger(queryVersion) && queryVersion > 0 ? queryVersion : null);
  const jobId = query.get('job');

  useEffect(() => {
    if (version === null && readyVersions.length > 0) setVersion(readyVersions[0].version);
  }, [version, readyVersions]);

  const [form, setForm] = useState<CompressionForm>(initialCompressionForm);
  const [calibrationSet, setCalibrationSet] = useState<CalibrationSet | null>(null);
  const jobs = useAsync(() => adminApi.jobs(model), [model]);
  const [showErrors, setShowErrors] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const problems = validateCompression(form);

  const start = async () => {
    setShowErrors(true);
    if (problems.length > 0 || version === null) return;
    setStarting(true);
    setStartError(null);
    try {
      const { jobId: id } = await adminApi.compress(model, version, buildCompressionRequest(form));
      replaceHash(withQuery(href('models', model, 'compress'), { version, job: id }));
    } catch (e) {
      setStartError(describeError(e));
    }
    setStarting(false);
  };

  const setStep = (index: number, step: StepForm) =>
    setForm((f) => ({ ...f, steps: f.steps.map((s, i) => (i === index ? step : s)) }));

  return (
    <Stack>
      <Title order={2}>Compress {model}</Title>
      <ErrorAlert error={error} />
      <Card withBorder>
        <Stack>
          <Select
            label="Parent version"
            placeholder={readyVersions.length ? 'Choose a version' : 'No READY version yet'}
            data={readyVersions.map((v) => ({ value: String(v.version), label: `v${v.version}` }))}
            value={version === null ? null : String(version)}
            onChange={(v) => setVersion(v ? Number(v) : null)}
            allowDeselect={false}
            w={220}
          />
          <SegmentedControl
            w={320}
            value={form.mode}
            onChange={(mode) =>
              setForm((f) => ({ ...f, mode: mode as CompressionForm['mode'], steps: f.steps.length ? f.steps : [newStep()] }))
            }
            data={[
              { value: 'method', label: 'Single method' },
              { value: 'recipe', label: 'Recipe (chain)' },
            ]}
          />
          {form.mode === 'method' ? (
            <Stack>
              <Radio.Group label="Method" value={form.steps[0].method} onChange={(m) => setStep(0, newStep(m as Method))}>
                <Stack gap={6} mt={4}>
                  {METHODS.map((m) => (
                    <Radio key={m} value={m} label={m} description={METHOD_LABELS[m]} />
                  ))}
                </Stack>
              </Radio.Group>
              <StepOptions step={form.steps[0]} onChange={(s) => setStep(0, s)} />
            </Stack>
          ) : (
            <Stack>
              {form.steps.map((step, i) => (
                <Card key={i} withBorder padding="sm" data-testid={`recipe-step-${i + 1}`}>
                  <Group align="flex-end" justify="space-between">
                    <Group align="flex-end">
                      <Text fw={600}>{i + 1}.</Text>
                      <NativeSelect
                        label="Method"
                        data={METHODS.map((m) => ({ value: m, label: m }))}
                        value={step.method}
                        onChange={(e) => setStep(i, newStep(e.currentTarget.value as Method))}
                      />
                      <StepOptions step={step} onChange={(s) => setStep(i, s)} />
                    </Group>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove step ${i + 1}`}
                      onClick={() => setForm((f) => ({ ...f, steps: f.steps.filter((_, k) => k !== i) }))}
                    >
                      ✕
                    </ActionIcon>
                  </Group>
                </Card>
              ))}
              <Group>
                <Button variant="light" size="xs" onClick={() => setForm((f) => ({ ...f, steps: [...f.steps, newStep('optimize')] }))}>
                  Add step
                </Button>
              </Group>
            </Stack>
          )}
        </Stack>
      </Card>

      <Card withBorder>
        <Stack>
          <Title order={5}>Calibration and evaluation samples</Title>
          <Group align="flex-end">
            <SegmentedControl
              value={form.calibrationSource}
              onChange={(source) => setForm((f) => ({ ...f, calibrationSource: source as CompressionForm['calibrationSource'] }))}
              data={[
                { value: 'traffic', label: 'Recent traffic' },
                { value: 'upload', label: 'Uploaded set' },
              ]}
            />
            <NumberInput
              label="Samples"
              min={1}
              allowDecimal={false}
              value={form.samples}
              onChange={(v) => setForm((f) => ({ ...f, samples: typeof v === 'number' ? v : Number.NaN }))}
              w={140}
            />
          </Group>
          <Text size="xs" c="dimmed">
            Recent traffic uses the server's sample of recent requests (random inputs when there is none yet).
          </Text>
          {form.calibrationSource === 'upload' && (
            <Stack gap="xs">
              <UploadDropzone<CalibrationSet>
                accept=".jsonl,.json,.txt"
                label="Drop a JSON-lines file of v2 inference requests (one per line)"
                start={(file, onProgress) => adminApi.uploadCalibrationSet(model, file, onProgress)}
                onUploaded={(result) => {
                  setCalibrationSet(result ?? null);
                  setForm((f) => ({ ...f, uploadId: result?.uploadId ?? null }));
                }}
              />
              {form.uploadId && (
                <Text size="sm">
                  Calibration set {form.uploadId} ready
                  {calibrationSet?.uploadId === form.uploadId ? ` (${calibrationSet.samples} samples)` : ''}.
                </Text>
              )}
            </Stack>
          )}
        </Stack>
      </Card>

      <ProblemsAlert show={showErrors} title="Cannot start yet" problems={problems} />
      <ErrorAlert error={startError} />
      <Checkbox
        label="Keep the result even if it is neither faster nor smaller than its parent"
        checked={form.keepIfNoGain}
        onChange={(e) => setForm({ ...form, keepIfNoGain: e.currentTarget.checked })}
      />
      <Group>
        <Button onClick={start} loading={starting} disabled={version === null}>
          Start compression
        </Button>
      </Group>

      {jobId && <JobPanel key={jobId} model={model} jobId={jobId} onFinished={jobs.reload} />}
      <RecentJobs jobs={jobs.data ?? []} model={model} current={jobId} />
    </Stack>
  );
}

function Choice<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: T[]; onChange: (v: T) => void }) {
  return (
    <Stack gap={4}>
      <Text size="sm">{label}</Text>
      <SegmentedControl size="xs" value={value} onChange={(v) => onChange(v as T)} data={options} />
    </Stack>
  );
}

function StepOptions({ step, onChange }: { step: StepForm; onChange: (step: StepForm) => void }) {
  const perChannel = (
    <Checkbox
      label="Per-channel scales"
      checked={step.perChannel}
      onChange={(e) => onChange({ ...step, perChannel: e.currentTarget.checked })}
    />
  );
  const weightRange = (
    <Choice
      label="Weight range"
      value={step.weightRange}
      options={['auto', 'full', 'reduced']}
      onChange={(range) => onChange({ ...step, weightRange: range })}
    />
  );
  switch (step.method) {
    case 'int8-dynamic':
      return (
        <Group align="flex-end" gap="lg">
          {perChannel}
          {weightRange}
          <Choice label="Kernel" value={step.kernel} options={['fused', 'integer']} onChange={(kernel) => onChange({ ...step, kernel })} />
        </Group>
      );
    case 'int8-static':
      return (
        <Group align="flex-end" gap="lg">
          {perChannel}
          {weightRange}
          <Choice
            label="Activation ranges"
            value={step.calibrationMethod}
            options={['minmax', 'percentile']}
            onChange={(calibrationMethod) => onChange({ ...step, calibrationMethod })}
          />
          {step.calibrationMethod === 'percentile' && (
            <NumberInput
              label="Percentile"
              min={90}
              max={100}
              step={0.001}
              decimalScale={4}
              value={step.percentile}
              onChange={(v) => onChange({ ...step, percentile: typeof v === 'number' ? v : Number.NaN })}
              w={120}
            />
          )}
        </Group>
      );
    case 'prune':
      return (
        <Group align="flex-end" gap="lg">
          <Stack gap={4} w={220}>
            <Text size="sm">Sparsity</Text>
            <Slider
              min={0}
              max={0.95}
              step={0.05}
              value={step.sparsity}
              onChange={(sparsity) => onChange({ ...step, sparsity })}
              label={(v) => `${Math.round(v * 100)} %`}
              thumbLabel="Sparsity"
            />
          </Stack>
          <NumberInput
            aria-label="Sparsity"
            min={0}
            max={0.99}
            step={0.05}
            decimalScale={2}
            value={step.sparsity}
            onChange={(v) => onChange({ ...step, sparsity: typeof v === 'number' ? v : Number.NaN })}
            w={100}
          />
          <Choice label="Scope" value={step.scope} options={['layer', 'global']} onChange={(scope) => onChange({ ...step, scope })} />
        </Group>
      );
    case 'optimize':
      return <Choice label="Level" value={step.level} options={['basic', 'extended', 'all']} onChange={(level) => onChange({ ...step, level })} />;
    default:
      return (
        <Text size="sm" c="dimmed">
          Numerically sensitive operators stay in FP32.
        </Text>
      );
  }
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

function JobPanel({ model, jobId, onFinished }: { model: string; jobId: string; onFinished: () => void }) {
  const [job, setJob] = useState<CompressionJob | null>(null);
  const [report, setReport] = useState<CompressionReport | null>(null);
  const running = !job || !TERMINAL.has(job.status);

  const pollError = usePolling(
    async () => {
      const next = await adminApi.job(jobId);
      setJob(next);
      if (TERMINAL.has(next.status)) onFinished();
      if (next.status === 'SUCCEEDED') {
        if (next.report) setReport(next.report);
        else if (next.resultVersion != null) setReport((await adminApi.getVersion(model, next.resultVersion)).report);
      }
    },
    1000,
    running,
    [jobId],
  );

  const percent = progressPercent(job?.progress, job?.status);
  return (
    <Card withBorder data-testid="job">
      <Stack>
        <Group justify="space-between">
          <Title order={4}>Job {jobId}</Title>
          {job && <StatusBadge status={job.status} testId="job-status" />}
        </Group>
        <ErrorAlert error={pollError} />
        {job && (
          <>
            <Progress value={percent} size="lg" animated={running} aria-label="Compression progress" data-testid="job-progress" />
            <Text size="sm" c="dimmed" data-testid="job-step">
              {percent} %{job.step ? ` · ${job.step}` : ''} · {formatRecipe(job.recipe) || job.method}
            </Text>
          </>
        )}
        {job?.status === 'FAILED' && <ErrorAlert title="Compression failed" error={job.error ?? 'The job failed without a reason.'} />}
        {job?.status === 'SUCCEEDED' && (
          <>
            {report?.noGain && (
              <Alert color="yellow" title="No gain" data-testid="job-no-gain">
                The result is neither faster nor smaller than v{job.version}
                {report.gain?.throughputRatio != null ? ` (throughput ×${report.gain.throughputRatio.toFixed(2)}` : ' ('}
                {report.gain?.sizeRatio != null ? `, size ×${report.gain.sizeRatio.toFixed(2)})` : ')'}
                {job.resultVersion == null
                  ? ': it was not registered. Send keepIfNoGain to keep such a result.'
                  : ': it was kept because the request asked for it (keepIfNoGain).'}
              </Alert>
            )}
            {job.resultVersion != null && (
              <Text data-testid="job-result" data-result-version={job.resultVersion}>
                Created{' '}
                <Anchor href={href('models', model)} fw={600}>
                  {model} v{job.resultVersion}
                </Anchor>{' '}
                from v{job.version}. Deploy it from the model page, then split traffic on the{' '}
                <Anchor href={href('models', model, 'routing')}>routing</Anchor> page.
              </Text>
            )}
            <ReportView report={report} parentLabel={`Parent v${job.version}`} childLabel={`Child v${job.resultVersion ?? '?'}`} />
          </>
        )}
      </Stack>
    </Card>
  );
}

function RecentJobs({ jobs, model, current }: { jobs: CompressionJob[]; model: string; current: string | null }) {
  if (jobs.length === 0) return null;
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        Recent jobs
      </Title>
      <Table fz="sm" verticalSpacing={4} data-testid="recent-jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Recipe</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.slice(0, 20).map((j) => (
            <Table.Tr key={j.id} bg={j.id === current ? 'var(--mantine-primary-color-light)' : undefined}>
              <Table.Td>
                <Anchor href={withQuery(href('models', model, 'compress'), { version: j.version, job: j.id })}>
                  {formatDate(j.createdAt)}
                </Anchor>
              </Table.Td>
              <Table.Td>v{j.version}</Table.Td>
              <Table.Td>{formatRecipe(j.recipe) || j.method}</Table.Td>
              <Table.Td>
                <StatusBadge status={j.status} reason={j.error} />
              </Table.Td>
              <Table.Td>{j.resultVersion != null ? `v${j.resultVersion}` : ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
