import { useEffect, useMemo, useState } from 'react';
import { Alert, Badge, Button, Card, Code, Collapse, Group, List, NativeSelect, SegmentedControl, Stack, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { adminApi, v2Api, v2ModelPath } from '../api/endpoints';
import { describeError } from '../api/errors';
import type { InferRequest, InferResponse, TensorSpec, VersionView } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { OutputView } from '../components/OutputView';
import { SignatureForm, initialFieldValues } from '../components/SignatureForm';
import { copyText } from '../lib/clipboard';
import { curlCommand } from '../lib/curl';
import { useAsync } from '../lib/hooks';
import { buildInferRequest, parseRawRequest, type FieldValue, type RequestResult } from '../lib/signature';

/** The version whose signature the form follows: the chosen one, else the newest deployed, else the newest ready. */
export function signatureSource(versions: VersionView[], chosen: number | null): VersionView | undefined {
  if (chosen !== null) return versions.find((v) => v.version === chosen);
  const newest = [...versions].sort((a, b) => b.version - a.version);
  return newest.find((v) => v.deployment != null) ?? newest.find((v) => v.status === 'READY');
}

interface Result {
  response: InferResponse;
  millis: number;
}

export function PlaygroundPage({ model, query }: { model: string; query: URLSearchParams }) {
  const { data, error } = useAsync(() => adminApi.getModel(model), [model]);
  const queryVersion = Number(query.get('version'));
  const [version, setVersion] = useState<number | null>(Number.isInteger(queryVersion) && queryVersion > 0 ? queryVersion : null);
  const versions = useMemo(() => data?.versions ?? [], [data]);
  const source = signatureSource(versions, version);

  // the admin API knows the signature of every ready version; the v2 metadata covers a server that omits it
  const fallback = useAsync<TensorSpec[]>(
    async () => (source && source.inputs?.length === 0 && source.deployment ? (await v2Api.model(model, source.version)).inputs : []),
    [model, source?.version, source?.inputs?.length],
  );
  const inputs = useMemo(
    () => (source?.inputs?.length ? source.inputs : (fallback.data ?? [])),
    [source, fallback.data],
  );

  const [mode, setMode] = useState<'form' | 'raw'>('form');
  const [fields, setFields] = useState<Record<string, FieldValue>>({});
  const [raw, setRaw] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [curlShown, setCurlShown] = useState(false);

  const signatureKey = inputs.map((i) => `${i.name}:${i.datatype}:${i.shape.join('x')}`).join('|');
  // a different signature starts a fresh form; keyed on content, not on the array's identity
  useEffect(() => {
    setFields(initialFieldValues(inputs));
  }, [signatureKey]);

  const currentRequest = (): RequestResult => (mode === 'form' ? buildInferRequest(inputs, fields) : parseRawRequest(raw));

  const switchMode = (next: 'form' | 'raw') => {
    if (next === 'raw') {
      const built = buildInferRequest(inputs, fields);
      if (built.ok) setRaw(JSON.stringify(built.request, null, 2));
      else if (raw.trim() === '') {
        const template: InferRequest = {
          inputs: inputs.map((i) => ({ name: i.name, shape: i.shape.map((d) => (d < 0 ? 1 : d)), datatype: i.datatype, data: [] })),
        };
        setRaw(JSON.stringify(template, null, 2));
      }
    }
    setProblems([]);
    setMode(next);
  };

  const send = async () => {
    const built = currentRequest();
    if (!built.ok) {
      setProblems(built.errors);
      return;
    }
    setProblems([]);
    setSending(true);
    setSendError(null);
    const started = performance.now();
    try {
      const response = await v2Api.infer(model, version, built.request);
      setResult({ response, millis: performance.now() - started });
    } catch (e) {
      setSendError(describeError(e));
      setResult(null);
    }
    setSending(false);
  };

  const copyCurl = async () => {
    const built = currentRequest();
    if (!built.ok) {
      setProblems(built.errors);
      return;
    }
    const command = curlCommand(`${window.location.origin}/v2${v2ModelPath(model, version)}/infer`, built.request);
    setCurlShown(true);
    const copied = await copyText(command);
    notifications.show({
      color: copied ? 'teal' : 'yellow',
      message: copied ? 'curl command copied' : 'Copying is blocked here; select the command below instead',
    });
  };

  const built = curlShown ? currentRequest() : null;
  const deployedVersions = versions.filter((v) => v.deployment != null).sort((a, b) => b.version - a.version);
  const chosenNotDeployed = version !== null && source && !source.deployment;

  return (
    <Stack>
      <Title order={2}>Playground {model}</Title>
      <ErrorAlert error={error ?? fallback.error} />
      <Group align="flex-end">
        <NativeSelect
          label="Version"
          data={[
            { value: '', label: 'routed (as clients see it)' },
            ...versions
              .filter((v) => v.status === 'READY')
              .sort((a, b) => b.version - a.version)
              .map((v) => ({ value: String(v.version), label: `v${v.version}${v.deployment ? '' : ' (not deployed)'}` })),
          ]}
          value={version === null ? '' : String(version)}
          onChange={(e) => setVersion(e.currentTarget.value ? Number(e.currentTarget.value) : null)}
          w={260}
        />
        <SegmentedControl
          value={mode}
          onChange={(v) => switchMode(v as 'form' | 'raw')}
          data={[
            { value: 'form', label: 'Form' },
            { value: 'raw', label: 'Raw JSON' },
          ]}
        />
      </Group>
      {data && deployedVersions.length === 0 && (
        <Alert color="yellow">No version of {model} is deployed; deploy one on the model page first.</Alert>
      )}
      {chosenNotDeployed && <Alert color="yellow">v{version} is not deployed; the server will refuse the request.</Alert>}

      {mode === 'form' ? (
        <SignatureForm inputs={inputs} values={fields} onChange={setFields} />
      ) : (
        <Textarea
          aria-label="Request body"
          autosize
          minRows={8}
          maxRows={24}
          ff="monospace"
          value={raw}
          onChange={(e) => setRaw(e.currentTarget.value)}
        />
      )}

      {problems.length > 0 && (
        <Alert color="yellow" title="Fix the request first">
          <List size="sm">
            {problems.map((p) => (
              <List.Item key={p}>{p}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Group>
        <Button onClick={send} loading={sending}>
          Send
        </Button>
        <Button variant="default" onClick={copyCurl}>
          Copy as curl
        </Button>
      </Group>
      <Collapse expanded={curlShown && built !== null && built.ok}>
        {built?.ok && (
          <Code block data-testid="curl">
            {curlCommand(`${window.location.origin}/v2${v2ModelPath(model, version)}/infer`, built.request)}
          </Code>
        )}
      </Collapse>
      <ErrorAlert error={sendError} />
      {result && (
        <Card withBorder data-testid="inference-result">
          <Stack>
            <Group gap="xs">
              <Title order={4}>Response</Title>
              <Badge variant="light" color="teal" data-testid="latency">
                {result.millis.toFixed(1)} ms
              </Badge>
              {result.response.model_version != null && <Badge variant="outline">served by v{result.response.model_version}</Badge>}
            </Group>
            {(result.response.outputs ?? []).map((o) => (
              <OutputView key={o.name} output={o} />
            ))}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
