import { Alert } from '@mantine/core';

/** The server's error text, shown as is. */
export function ErrorAlert({ error, title }: { error: string | null | undefined; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert" data-testid="error">
      {error}
    </Alert>
  );
}
