import { useSyncExternalStore } from 'react';

/**
 * Hash routing (`#/models/resnet?version=2`): the server serves one index.html under /admin/ and needs
 * no fallback for deep links.
 */

export type Route =
  | { page: 'models' }
  | { page: 'model'; model: string }
  | { page: 'compress'; model: string }
  | { page: 'routing'; model: string }
  | { page: 'experiments'; model: string }
  | { page: 'playground'; model: string }
  | { page: 'dashboard' }
  | { page: 'notFound'; path: string };

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?', 2);
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(search) };
}

export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'models')) return { page: 'models' };
  if (parts.length === 1 && parts[0] === 'dashboard') return { page: 'dashboard' };
  if (parts[0] === 'models' && parts.length === 2) return { page: 'model', model: parts[1] };
  if (parts[0] === 'models' && parts.length === 3) {
    const sub = parts[2];
    if (sub === 'compress' || sub === 'routing' || sub === 'experiments' || sub === 'playground') return { page: sub, model: parts[1] };
  }
  return { page: 'notFound', path };
}

/** Builds a hash href from path segments, e.g. href('models', 'resnet', 'playground') -> '#/models/resnet/playground'. */
export function href(...segments: (string | number)[]): string {
  return `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

export function withQuery(base: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  Object.entries(query).forEach(([k, v]) => {
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  });
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}

export function navigate(target: string): void {
  window.location.hash = target.startsWith('#') ? target.slice(1) : target;
}

/** Replaces the current hash without adding a history entry. */
export function replaceHash(target: string): void {
  const hash = target.startsWith('#') ? target : `#${target}`;
  window.history.replaceState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}

export function useLocation(): Location {
  return parseHash(useHash());
}
