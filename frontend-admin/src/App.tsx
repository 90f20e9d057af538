import { useEffect, useState } from 'react';
import { Alert, AppShell, Burger, Button, Group, NavLink, ScrollArea, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { clearAuthorization, onUnauthorized, storedAuthorization } from './api/client';
import { ServerStatus } from './components/ServerStatus';
import { LoginPage } from './pages/LoginPage';
import { ModelsPage } from './pages/ModelsPage';
import { ModelDetailPage } from './pages/ModelDetailPage';
import { CompressPage } from './pages/CompressPage';
import { RoutingPage } from './pages/RoutingPage';
import { ExperimentsPage } from './pages/ExperimentsPage';
import { PlaygroundPage } from './pages/PlaygroundPage';
import { DashboardPage } from './pages/DashboardPage';
import { href, matchRoute, useLocation, type Route } from './lib/router';

export function App() {
  const [signedIn, setSignedIn] = useState(() => storedAuthorization() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(
    () =>
      onUnauthorized(() => {
        clearAuthorization();
        setSignedIn(false);
        setNotice('The server no longer accepts the stored credentials; sign in again.');
      }),
    [],
  );

  if (!signedIn) {
    return (
      <LoginPage
        notice={notice}
        onSignedIn={() => {
          setNotice(null);
          setSignedIn(true);
        }}
      />
    );
  }
  return (
    <Shell
      onSignOut={() => {
        clearAuthorization();
        setSignedIn(false);
      }}
    />
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const [opened, { toggle }] = useDisclosure();
  const location = useLocation();
  const route = matchRoute(location.path);
  const model = 'model' in route ? route.model : null;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={3}>Otimo</Title>
            <Text c="dimmed" size="sm" visibleFrom="xs">
              console
            </Text>
          </Group>
          <Group gap="md" wrap="nowrap">
            <ServerStatus />
            <Button variant="subtle" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <AppShell.Section grow component={ScrollArea}>
          <NavLink label="Models" href={href('models')} active={route.page === 'models'} />
          {model && (
            <>
              <NavLink label={model} href={href('models', model)} active={route.page === 'model'} pl="lg" />
              <NavLink label="Compress" href={href('models', model, 'compress')} active={route.page === 'compress'} pl="xl" />
              <NavLink label="Routing" href={href('models', model, 'routing')} active={route.page === 'routing'} pl="xl" />
              <NavLink label="Experiments" href={href('models', model, 'experiments')} active={route.page === 'experiments'} pl="xl" />
              <NavLink label="Playground" href={href('models', model, 'playground')} active={route.page === 'playground'} pl="xl" />
            </>
          )}
          <NavLink label="Dashboard" href={href('dashboard')} active={route.page === 'dashboard'} />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Page route={route} query={location.query} />
      </AppShell.Main>
    </AppShell>
  );
}

function Page({ route, query }: { route: Route; query: URLSearchParams }) {
  switch (route.page) {
    case 'models':
      return <ModelsPage />;
    case 'model':
      return <ModelDetailPage key={route.model} model={route.model} />;
    case 'compress':
      return <CompressPage key={route.model} model={route.model} query={query} />;
    case 'routing':
      return <RoutingPage key={route.model} model={route.model} />;
    case 'experiments':
      return <ExperimentsPage key={route.model} model={route.model} query={query} />;
    case 'playground':
      return <PlaygroundPage key={route.model} model={route.model} query={query} />;
    case 'dashboard':
      return <DashboardPage />;
    default:
      return (
        <Alert color="yellow" title="Page not found">
          Nothing lives at {route.path}. <a href={href('models')}>Back to the models</a>
        </Alert>
      );
  }
}
