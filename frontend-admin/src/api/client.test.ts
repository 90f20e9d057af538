import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  adminRequest,
  basicAuthorization,
  clearAuthorization,
  onUnauthorized,
  storeAuthorization,
  storedAuthorization,
  uploadFile,
  v2Request,
} from './client';
import { ApiError } from './errors';

function respond(status: number, body: string) {
  return vi.fn(async (_url: string, _init?: RequestInit) => new Response(status === 204 ? null : body, { status }));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('credentials', () => {
  it('encodes user and password as Basic, UTF-8 safe', () => {
    expect(basicAuthorization('admin', 'secret')).toBe(`Basic ${btoa('admin:secret')}`);
    expect(basicAuthorization('admin', 'pässwörd')).toBe('Basic YWRtaW46cMOkc3N3w7ZyZA==');
  });

  it('keeps them in sessionStorage', () => {
    storeAuthorization('Basic abc');
    expect(sessionStorage.getItem('otimo.admin.authorization')).toBe('Basic abc');
    clearAuthorization();
    expect(storedAuthorization()).toBeNull();
  });
});

describe('adminRequest', () => {
  it('sends the stored credentials and X-Requested-With, and JSON bodies', async () => {
    storeAuthorization('Basic abc');
    const fetchMock = respond(201, '{"name":"m"}');
    vi.stubGlobal('fetch', fetchMock);
    const result = await adminRequest<{ name: string }>('/models', { method: 'POST', body: { name: 'm', description: '' } });
    expect(result).toEqual({ name: 'm' });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/models');
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual({
      Authorization: 'Basic abc',
      'X-Requested-With': 'XMLHttpRequest',
      'Content-Type': 'application/json',
    });
    expect(init?.body).toBe('{"name":"m","description":""}');
  });

  it('resolves 204 to undefined', async () => {
    vi.stubGlobal('fetch', respond(204, ''));
    await expect(adminRequest('/models/m', { method: 'DELETE' })).resolves.toBeUndefined();
  });

  it("rejects with the server's error text and status", async () => {
    vi.stubGlobal('fetch', respond(409, '{"error":"model m is deployed"}'));
    const failure = adminRequest('/models/m', { method: 'DELETE' });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 409, message: 'model m is deployed' });
  });

  it('signals expired credentials on 401, but not while trying new ones', async () => {
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    vi.stubGlobal('fetch', respond(401, ''));
    await expect(adminRequest('/models', { authorization: 'Basic wrong' })).rejects.toMatchObject({ status: 401 });
    expect(listener).not.toHaveBeenCalled();
    storeAuthorization('Basic old');
    await expect(adminRequest('/models')).rejects.toMatchObject({ status: 401 });
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });
});

describe('v2Request', () => {
  it('sends no credentials to the open inference API', async () => {
    const fetchMock = respond(200, '{"outputs":[]}');
    vi.stubGlobal('fetch', fetchMock);
    storeAuthorization('Basic abc');
    await v2Request('/models/m/infer', { method: 'POST', body: { inputs: [] } });
    expect(fetchMock.mock.calls[0][1]?.headers).toEqual({ 'Content-Type': 'application/json' });
  });
});

/** A stand-in for XMLHttpRequest that the test drives by hand. */
class FakeXhr {
  static last: FakeXhr;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null; onload: (() => void) | null } = {
    onprogress: null,
    onload: null,
  };
  headers: Record<string, string> = {};
  method = '';
  url = '';
  body: unknown;
  status = 0;
  responseText = '';
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }
  finish(status: number, text: string) {
    this.status = status;
    this.responseText = text;
    this.onload?.();
  }
}

describe('uploadFile', () => {
  it('posts the file as multipart field "file" and reports progress fractions', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    storeAuthorization('Basic abc');
    const progress: number[] = [];
    const file = new File([new Uint8Array([1, 2, 3])], 'model.onnx');
    const handle = uploadFile<{ version: number }>('/models/m/versions', file, (f) => progress.push(f));
    const xhr = FakeXhr.last;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/v1/models/m/versions');
    expect(xhr.headers).toEqual({ Authorization: 'Basic abc', 'X-Requested-With': 'XMLHttpRequest' });
    expect((xhr.body as FormData).get('file')).toBeInstanceOf(File);
    xhr.upload.onprogress?.({ lengthComputable: true, loaded: 25, total: 100 });
    xhr.upload.onprogress?.({ lengthComputable: false, loaded: 50, total: 0 });
    xhr.upload.onprogress?.({ lengthComputable: true, loaded: 100, total: 100 });
    xhr.finish(201, '{"version":3}');
    await expect(handle.promise).resolves.toEqual({ version: 3 });
    expect(progress).toEqual([0.25, 1]);
  });

  it("rejects with the server's error for a bad file", async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const handle = uploadFile('/models/m/versions', new File(['x'], 'bad.onnx'), () => {});
    FakeXhr.last.finish(400, '{"error":"bad.onnx is not an ONNX model: protobuf parse failed"}');
    await expect(handle.promise).rejects.toMatchObject({ status: 400, message: 'bad.onnx is not an ONNX model: protobuf parse failed' });
  });

  it('rejects when cancelled', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const handle = uploadFile('/models/m/versions', new File(['x'], 'a.onnx'), () => {});
    handle.abort();
    await expect(handle.promise).rejects.toMatchObject({ message: 'Upload cancelled.' });
  });
});
