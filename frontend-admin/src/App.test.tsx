import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from './App';
import { renderWithTheme } from './test/render';

type Handler = (url: string, init?: RequestInit) => Response | undefined;

/** Answers fetch calls from a list of handlers; anything unhandled is a 404 with an error body. */
function serve(...handlers: Handler[]) {
  const calls: { url: string; init?: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      for (const h of handlers) {
        const r = h(url, init);
        if (r) return r;
      }
      return new Response('{"error":"no such endpoint or resource"}', { status: 404 });
    }),
  );
  return calls;
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const server: Handler = (url) => (url === '/v2' ? json({ name: 'otimo', version: '0.1.0', extensions: [] }) : undefined);
const ready: Handler = (url) => (url === '/v2/health/ready' ? new Response('{}', { status: 200 }) : undefined);

afterEach(() => {
  vi.unstubAllGlobals();
  window.location.hash = '';
});

describe('signing in', () => {
  it('shows server name, version and readiness before signing in', async () => {
    serve(server, ready);
    renderWithTheme(<App />);
    expect(await screen.findByText('otimo 0.1.0')).toBeInTheDocument();
    expect(await screen.findByText('ready')).toBeInTheDocument();
  });

  it("shows the server's refusal and keeps nothing", async () => {
    serve(server, ready, (url) =>
      url === '/api/v1/models' ? json({ error: 'authentication required: use HTTP Basic with the admin credentials' }, 401) : undefined,
    );
    renderWithTheme(<App />);
    await userEvent.type(screen.getByLabelText(/^Password/), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('authentication required: use HTTP Basic with the admin credentials');
    expect(sessionStorage.length).toBe(0);
    await screen.findByText('ready');
  });

  it('keeps working credentials for the tab and lists the models', async () => {
    const calls = serve(server, ready, (url) =>
      url === '/api/v1/models'
        ? json([{ name: 'iris', description: 'flowers', createdAt: '2026-01-01T00:00:00Z', versionCount: 2, latestVersion: 2, deployedVersions: [1] }])
        : undefined,
    );
    renderWithTheme(<App />);
    await userEvent.type(screen.getByLabelText(/^Password/), 's3cret');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('link', { name: 'iris' })).toHaveAttribute('href', '#/models/iris');
    expect(screen.getByText('serving')).toBeInTheDocument();
    expect(sessionStorage.getItem('otimo.admin.authorization')).toBe(`Basic ${btoa('admin:s3cret')}`);
    const listing = calls.filter((c) => c.url === '/api/v1/models');
    expect(listing.at(-1)?.init?.headers).toMatchObject({ Authorization: `Basic ${btoa('admin:s3cret')}`, 'X-Requested-With': 'XMLHttpRequest' });
    await screen.findByText('ready');
  });

  it('returns to the sign-in form when stored credentials stop working', async () => {
    sessionStorage.setItem('otimo.admin.authorization', 'Basic old');
    serve(server, ready, (url) => (url.startsWith('/api/v1/') ? json({ error: 'authentication required' }, 401) : undefined));
    renderWithTheme(<App />);
    expect(await screen.findByText('The server no longer accepts the stored credentials; sign in again.')).toBeInTheDocument();
    await waitFor(() => expect(sessionStorage.length).toBe(0));
    await screen.findByText('ready');
  });
});
