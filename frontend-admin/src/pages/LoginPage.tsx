import { useState, type FormEvent } from 'react';
import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { basicAuthorization, storeAuthorization } from '../api/client';
import { adminApi } from '../api/endpoints';
import { describeError } from '../api/errors';
import { ServerStatus } from '../components/ServerStatus';

/** Checks the credentials with GET /api/v1/models before keeping them for the browser tab. */
export function LoginPage({ notice, onSignedIn }: { notice: string | null; onSignedIn: () => void }) {
  const [user, setUser] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const authorization = basicAuthorization(user.trim(), password);
    try {
      await adminApi.listModels(authorization);
      storeAuthorization(authorization);
      onSignedIn();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" bg="var(--mantine-color-gray-0)">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={submit}>
          <Stack>
            <Group justify="space-between" align="baseline">
              <Title order={2}>Otimo</Title>
              <ServerStatus />
            </Group>
            <Text size="sm" c="dimmed">
              Sign in to manage models, deployments and traffic.
            </Text>
            {notice && <Alert color="yellow">{notice}</Alert>}
            <TextInput label="User" value={user} onChange={(e) => setUser(e.currentTarget.value)} autoComplete="username" required />
            <PasswordInput
              label="Password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="current-password"
              required
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
