import { ApiError, errorMessageFor } from './errors';

/**
 * HTTP plumbing shared by every page: Basic credentials kept in sessionStorage, the headers the server
 * expects from the console, JSON decoding and error mapping.
 */

const STORAGE_KEY = 'otimo.admin.authorization';

/** The value of an `Authorization: Basic` header for a user and password (UTF-8 safe). */
export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  bytes.forEach((b) => {
    binary += String.fromCharCode(b);
  });
  return `Basic ${btoa(binary)}`;
}

export function storedAuthorization(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeAuthorization(value: string): void {
  sessionStorage.setItem(STORAGE_KEY, value);
}

export function clearAuthorization(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever an admin call comes back 401 with stored credentials (they expired or changed). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function notifyUnauthorized(): void {
  unauthorizedListeners.forEach((l) => l());
}

/** Headers sent on every admin call. X-Requested-With keeps the server from asking for a browser login dialog. */
export function adminHeaders(authorization = storedAuthorization()): Record<string, string> {
  const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest' };
  if (authorization) headers.Authorization = authorization;
  return headers;
}

async function decode<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!text) return undefined as T;
  return JSON.parse(text) as T;
}

async function failure(response: Response): Promise<ApiError> {
  let body = '';
  try {
    body = await response.text();
  } catch {
    // body unreadable: the status alone decides the message
  }
  return new ApiError(response.status, errorMessageFor(response.status, body));
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Credentials to try instead of the stored ones (used by the login form). */
  authorization?: string;
  signal?: AbortSignal;
}

/** Calls the admin API; resolves to the decoded JSON body or rejects with an ApiError. */
export async function adminRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers = adminHeaders(options.authorization ?? storedAuthorization());
  const init: RequestInit = { method: options.method ?? 'GET', headers, signal: options.signal };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  if (!response.ok) {
    if (response.status === 401 && options.authorization === undefined && storedAuthorization()) {
      notifyUnauthorized();
    }
    throw await failure(response);
  }
  return decode<T>(response);
}

/** Calls the open inference API (/v2). */
export async function v2Request<T>(path: string, options: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const init: RequestInit = { method: options.method ?? 'GET', signal: options.signal };
  if (options.body !== undefined) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(`/v2${path}`, init);
  if (!response.ok) throw await failure(response);
  return decode<T>(response);
}

export interface UploadHandle<T> {
  promise: Promise<T>;
  abort: () => void;
}

/**
 * Posts a file as multipart form data (field `file`) with XMLHttpRequest, because fetch reports no
 * upload progress. `onProgress` receives the fraction sent, 0..1.
 */
export function uploadFile<T>(path: string, file: File, onProgress: (fraction: number) => void): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', `/api/v1${path}`);
    Object.entries(adminHeaders()).forEach(([name, value]) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
        } catch {
          reject(new ApiError(xhr.status, 'The server answered with something other than JSON.'));
        }
      } else {
        if (xhr.status === 401 && storedAuthorization()) notifyUnauthorized();
        reject(new ApiError(xhr.status, errorMessageFor(xhr.status, xhr.responseText)));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, errorMessageFor(0, null)));
    xhr.onabort = () => reject(new ApiError(0, 'Upload cancelled.'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/** Fetches an admin resource as bytes and hands it to the browser as a file download. */
export async function downloadWithCredentials(path: string, fileName: string): Promise<void> {
  const response = await fetch(`/api/v1${path}`, { headers: adminHeaders() });
  if (!response.ok) throw await failure(response);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
