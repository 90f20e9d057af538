import { useState } from 'react';
import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { v2Api } from '../api/endpoints';
import type { ServerMetadata } from '../api/types';
import { usePolling } from '../lib/hooks';

/** Server name and version (GET /v2) and readiness (GET /v2/health/ready), refreshed every 5 s. */
export function ServerStatus() {
  const [server, setServer] = useState<ServerMetadata | null>(null);
  const [ready, setReady] = useState<boolean | null>(null);

  usePolling(
    async () => {
      const [metadata, isReady] = await Promise.all([server ? Promise.resolve(server) : v2Api.server().catch(() => null), v2Api.ready()]);
      setServer(metadata);
      setReady(isReady);
    },
    5000,
    true,
    [],
  );

  return (
    <Group gap="xs" wrap="nowrap" data-testid="server-status">
      <Tooltip label={server?.extensions?.length ? `extensions: ${server.extensions.join(', ')}` : 'Open Inference Protocol v2'}>
        <Text size="sm" c="dimmed" data-testid="server-name">
          {server ? `${server.name} ${server.version}` : 'server'}
        </Text>
      </Tooltip>
      {ready === null ? (
        <Badge color="gray" variant="light">
          checking
        </Badge>
      ) : (
        <Badge color={ready ? 'teal' : 'red'} variant="light" data-testid="server-health">
          {ready ? 'ready' : 'not ready'}
        </Badge>
      )}
    </Group>
  );
}
