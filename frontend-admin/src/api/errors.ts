/**
 * Turns failed HTTP exchanges into the message an operator reads. The server answers every error with
 * `{"error": "..."}`; that text wins whenever it is there. Bodies without it (a proxy page, an empty 401
 * from the security filter) fall back to a sentence chosen by status.
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

const FALLBACKS: Record<number, string> = {
  400: 'The server rejected the request as invalid.',
  401: 'Wrong user name or password.',
  403: 'This account may not do that.',
  404: 'Not found.',
  409: 'The request conflicts with the current state.',
  413: 'The upload is too large for the server.',
  415: 'The server does not accept this content type.',
  429: 'Too many requests; try again shortly.',
  503: 'The server is not ready.',
};

/** Extracts the `error` field from a response body, or null when the body carries none. */
export function errorTextFromBody(body: string | null | undefined): string | null {
  if (!body) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (typeof error === 'string' && error.trim() !== '') return error;
    }
  } catch {
    // not JSON: fall through to the status-based message
  }
  return null;
}

/** The message for a failed response: the server's own words, else a sentence for the status. */
export function errorMessageFor(status: number, body: string | null | undefined): string {
  const fromBody = errorTextFromBody(body);
  if (fromBody) return fromBody;
  if (status === 0) return 'Cannot reach the server.';
  const fallback = FALLBACKS[status];
  if (fallback) return `${fallback} (HTTP ${status})`;
  if (status >= 500) return `The server failed to handle the request (HTTP ${status}).`;
  return `Request failed (HTTP ${status}).`;
}

/** A displayable message for anything thrown by the API layer. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Cannot reach the server.';
  if (error instanceof Error) return error.message;
  return String(error);
}
