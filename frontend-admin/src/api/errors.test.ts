import { describe, expect, it } from 'vitest';
import { ApiError, describeError, errorMessageFor, errorTextFromBody } from './errors';

describe('errorMessageFor', () => {
  it("shows the server's own error text", () => {
    expect(errorMessageFor(400, '{"error":"input \'x\': expected shape [1, 3], got [1, 4]"}')).toBe(
      "input 'x': expected shape [1, 3], got [1, 4]",
    );
    expect(errorMessageFor(409, '{"error":"model resnet is deployed; undeploy it first"}')).toBe(
      'model resnet is deployed; undeploy it first',
    );
  });

  it('falls back to a sentence for the status when the body has no error text', () => {
    expect(errorMessageFor(401, '')).toBe('Wrong user name or password. (HTTP 401)');
    expect(errorMessageFor(404, '<html>Not Found</html>')).toBe('Not found. (HTTP 404)');
    expect(errorMessageFor(409, '{"error":""}')).toBe('The request conflicts with the current state. (HTTP 409)');
    expect(errorMessageFor(400, '{"message":"bad"}')).toBe('The server rejected the request as invalid. (HTTP 400)');
  });

  it('covers statuses without a specific sentence', () => {
    expect(errorMessageFor(502, null)).toBe('The server failed to handle the request (HTTP 502).');
    expect(errorMessageFor(418, undefined)).toBe('Request failed (HTTP 418).');
    expect(errorMessageFor(0, null)).toBe('Cannot reach the server.');
  });

  it('ignores an error field that is not a string', () => {
    expect(errorTextFromBody('{"error":{"code":1}}')).toBeNull();
    expect(errorTextFromBody('null')).toBeNull();
    expect(errorTextFromBody('"text"')).toBeNull();
  });
});

describe('describeError', () => {
  it('uses the message of API errors and plain errors', () => {
    expect(describeError(new ApiError(400, 'bad shape'))).toBe('bad shape');
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('odd')).toBe('odd');
  });

  it('reads a failed fetch (TypeError) as an unreachable server', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toBe('Cannot reach the server.');
  });
});
