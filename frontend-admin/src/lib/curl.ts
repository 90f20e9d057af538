/** Shell-safe single quoting: ' becomes '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The same inference request as a curl command line. */
export function curlCommand(url: string, body: unknown): string {
  return [
    'curl -sS -X POST',
    shellQuote(url),
    "-H 'Content-Type: application/json'",
    '-d',
    shellQuote(JSON.stringify(body)),
  ].join(' ');
}
