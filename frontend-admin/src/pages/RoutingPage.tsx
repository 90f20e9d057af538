import { useEffect, useMemo, useState } from 'react';
import {
  Button,
  Card,
  Group,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Slider,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { adminApi } from '../api/endpoints';
import { ApiError, describeError } from '../api/errors';
import type { AuditEntry, RoutingEvent, RoutingView } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { LiveLineChart, type SeriesPoint } from '../components/LiveLineChart';
import { WeightsEditor } from '../components/WeightsEditor';
import { formatDate } from '../lib/format';
import { appendSample, useAsync, usePolling } from '../lib/hooks';
import { routingFormFrom, toRoutingPolicy, validateRouting, type RoutingForm } from '../lib/routing';
import { ProblemsAlert } from '../components/ProblemsAlert';

const NO_POLICY: RoutingView = { variants: [], stickyHeader: null, shadow: null, guard: null };

/**
 * GET routing. A model without a policy answers an empty one (no variants); older servers answered 404,
 * which reads the same way.
 */
async function loadRouting(model: string): Promise<{ view: RoutingView; exists: boolean }> {
  try {
    const view = await adminApi.getRouting(model);
    return { view, exists: view.variants.length > 0 };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { view: NO_POLICY, exists: false };
    throw e;
  }
}

export function RoutingPage({ model }: { model: string }) {
  const modelState = useAsync(() => adminApi.getModel(model), [model]);
  const routingState = useAsync(() => loadRouting(model), [model]);
  const [form, setForm] = useState<RoutingForm | null>(null);
  const [showErrors, setShowErrors] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  const [hasPolicy, setHasPolicy] = useState(false);
  const [removing, setRemoving] = useState(false);

  useEffect(() => {
    if (routingState.data && form === null) {
      setForm(routingFormFrom(routingState.data.view));
      setHasPolicy(routingState.data.exists);
    }
  }, [routingState.data, form]);

  const deployed = useMemo(
    () =>
      (modelState.data?.versions ?? [])
        .filter((v) => v.deployment != null)
        .map((v) => v.version)
        .sort((a, b) => a - b),
    [modelState.data],
  );

  const problems = form ? validateRouting(form) : [];
  const save = async () => {
    if (!form) return;
    setShowErrors(true);
    if (problems.length > 0) return;
    setSaving(true);
    setSaveError(null);
    try {
      const saved = await adminApi.putRouting(model, toRoutingPolicy(form));
      if (saved && Array.isArray(saved.variants)) setForm(routingFormFrom(saved));
      setHasPolicy(true);
      notifications.show({ color: 'teal', title: 'Routing saved', message: `${model}: new traffic split is live` });
    } catch (e) {
      setSaveError(describeError(e));
    }
    setSaving(false);
  };

  const update = (patch: Partial<RoutingForm>) => setForm((f) => (f ? { ...f, ...patch } : f));

  return (
    <Stack>
      <Title order={2}>Routing {model}</Title>
      <ErrorAlert error={modelState.error ?? routingState.error} />
      {form && (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <Card withBorder>
            <Stack>
              <Title order={4}>Traffic split</Title>
              <WeightsEditor variants={form.variants} candidates={deployed} onChange={(variants) => update({ variants })} />
              <TextInput
                label="Sticky header"
                description="Requests with the same value of this header always reach the same variant"
                placeholder="e.g. X-User-Id"
                value={form.stickyHeader}
                onChange={(e) => update({ stickyHeader: e.currentTarget.value })}
              />
            </Stack>
          </Card>
          <Card withBorder>
            <Stack>
              <Title order={4}>Shadow and guard</Title>
              <Switch
                label="Mirror a share of requests to a shadow version (answers are discarded)"
                checked={form.shadowEnabled}
                onChange={(e) => update({ shadowEnabled: e.currentTarget.checked })}
              />
              {form.shadowEnabled && (
                <Group align="flex-end">
                  <NativeSelect
                    label="Shadow version"
                    data={[{ value: '', label: 'Choose…' }, ...deployed.map((v) => ({ value: String(v), label: `v${v}` }))]}
                    value={form.shadowVersion === null ? '' : String(form.shadowVersion)}
                    onChange={(e) => update({ shadowVersion: e.currentTarget.value ? Number(e.currentTarget.value) : null })}
                  />
                  <Stack gap={4} style={{ flex: 1 }}>
                    <Text size="sm">Mirrored: {form.shadowPercent} %</Text>
                    <Slider
                      min={0}
                      max={100}
                      value={form.shadowPercent}
                      onChange={(shadowPercent) => update({ shadowPercent })}
                      thumbLabel="Shadow percent"
                    />
                  </Stack>
                </Group>
              )}
              <Switch
                label="Canary guard: drop a variant that breaches these limits"
                checked={form.guardEnabled}
                onChange={(e) => update({ guardEnabled: e.currentTarget.checked })}
              />
              {form.guardEnabled && (
                <SimpleGrid cols={3}>
                  <NumberInput
                    label="Max error rate"
                    min={0}
                    max={1}
                    step={0.01}
                    decimalScale={4}
                    value={form.guard.maxErrorRate}
                    onChange={(v) => update({ guard: { ...form.guard, maxErrorRate: typeof v === 'number' ? v : Number.NaN } })}
                  />
                  <NumberInput
                    label="Max p99 (ms)"
                    min={1}
                    allowDecimal={false}
                    value={form.guard.maxP99Millis}
                    onChange={(v) => update({ guard: { ...form.guard, maxP99Millis: typeof v === 'number' ? v : Number.NaN } })}
                  />
                  <NumberInput
                    label="Window (s)"
                    min={1}
                    max={3600}
                    allowDecimal={false}
                    value={form.guard.windowSeconds}
                    onChange={(v) => update({ guard: { ...form.guard, windowSeconds: typeof v === 'number' ? v : Number.NaN } })}
                  />
                </SimpleGrid>
              )}
            </Stack>
          </Card>
        </SimpleGrid>
      )}
      <ProblemsAlert show={showErrors} title="Cannot save yet" problems={problems} />
      <ErrorAlert error={saveError} />
      <Group>
        <Button onClick={save} loading={saving} disabled={!form}>
          Save routing
        </Button>
        {hasPolicy && (
          <Button variant="default" onClick={() => setRemoving(true)}>
            Remove policy
          </Button>
        )}
      </Group>
      <ConfirmDialog
        opened={removing}
        title="Remove routing policy"
        message={`Send unversioned requests for ${model} to its newest serving version again?`}
        confirmLabel="Remove"
        onClose={() => setRemoving(false)}
        onConfirm={async () => {
          await adminApi.deleteRouting(model);
          setHasPolicy(false);
          setForm(routingFormFrom(NO_POLICY));
        }}
      />
      <LiveRouting model={model} pollRouting={hasPolicy} />
    </Stack>
  );
}

interface LiveState {
  rps: SeriesPoint[];
  p99: SeriesPoint[];
  events: RoutingEvent[];
  audit: AuditEntry[];
}

/** Per-variant requests/s and p99 over the last two minutes, the routing events and this model's audit trail. */
function LiveRouting({ model, pollRouting }: { model: string; pollRouting: boolean }) {
  const [live, setLive] = useState<LiveState>({ rps: [], p99: [], events: [], audit: [] });

  const error = usePolling(
    async () => {
      const [routing, audit] = await Promise.all([
        pollRouting ? loadRouting(model).then((r) => r.view) : Promise.resolve(null),
        adminApi.audit(model, 50),
      ]);
      setLive((prev) => {
        let { rps, p99 } = prev;
        if (routing) {
          const time = new Date().toLocaleTimeString('en-GB');
          const rpsPoint: SeriesPoint = { time };
          const p99Point: SeriesPoint = { time };
          (routing.variantStats ?? []).forEach((s) => {
            rpsPoint[`v${s.version}`] = s.requestsPerSecond;
            if (s.p99Millis != null) p99Point[`v${s.version}`] = s.p99Millis;
          });
          rps = appendSample(rps, rpsPoint);
          p99 = appendSample(p99, p99Point);
        }
        return {
          rps,
          p99,
          events: routing ? (routing.events ?? []) : prev.events,
          audit: (audit ?? []).filter((a) => auditConcerns(a, model)),
        };
      });
    },
    2000,
    true,
    [model, pollRouting],
  );

  return (
    <Stack>
      <ErrorAlert error={error} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            Requests per second by variant
          </Title>
          <LiveLineChart data={live.rps} unit="req/s" />
        </Card>
        <Card withBorder>
          <Title order={5} mb="xs">
            p99 latency by variant (ms)
          </Title>
          <LiveLineChart data={live.p99} unit="ms" />
        </Card>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            Routing events
          </Title>
          <EventTable
            rows={live.events.map((e, i) => ({ key: `${e.at}-${i}`, at: e.at, what: e.kind, who: e.version != null ? `v${e.version}` : '', detail: e.detail }))}
          />
        </Card>
        <Card withBorder>
          <Title order={5} mb="xs">
            Audit trail
          </Title>
          <EventTable
            rows={live.audit.map((a, i) => ({ key: `${a.at}-${i}`, at: a.at, what: a.action, who: a.actor, detail: a.detail ?? a.target }))}
          />
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

export function auditConcerns(entry: AuditEntry, model: string): boolean {
  if (entry.model != null) return entry.model === model;
  const target = entry.target ?? '';
  return target === model || target.startsWith(`${model}/`) || target.startsWith(`${model}:`) || target.includes(`/models/${model}`);
}

function EventTable({ rows }: { rows: { key: string; at: string; what: string; who: string; detail: string | null }[] }) {
  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Nothing yet.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={400} mah={280}>
      <Table fz="sm" verticalSpacing={4}>
        <Table.Tbody>
          {rows.slice(0, 50).map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(r.at)}</Table.Td>
              <Table.Td>{r.what}</Table.Td>
              <Table.Td>{r.who}</Table.Td>
              <Table.Td style={{ wordBreak: 'break-word' }}>
                <Text size="sm" lineClamp={2} title={r.detail ?? undefined}>
                  {r.detail}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
