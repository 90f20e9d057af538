import { useRef, useState, type DragEvent } from 'react';
import { Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { describeError } from '../api/errors';
import type { UploadHandle } from '../api/client';
import { formatBytes } from '../lib/format';
import { ErrorAlert } from './ErrorAlert';

interface Props<T> {
  accept: string;
  label: string;
  start: (file: File, onProgress: (fraction: number) => void) => UploadHandle<T>;
  onUploaded: (result: T, file: File) => void;
}

type UploadState = { file: File; fraction: number; handle: UploadHandle<unknown> } | null;

/** Drop a file (or pick one) and watch the bytes go out; the bar follows the browser's upload events. */
export function UploadDropzone<T>({ accept, label, start, onUploaded }: Props<T>) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [upload, setUpload] = useState<UploadState>(null);
  const [error, setError] = useState<string | null>(null);

  const send = (file: File) => {
    setError(null);
    const handle = start(file, (fraction) => setUpload((u) => (u && u.file === file ? { ...u, fraction } : u)));
    setUpload({ file, fraction: 0, handle });
    handle.promise.then(
      (result) => {
        setUpload(null);
        onUploaded(result, file);
      },
      (e: unknown) => {
        setUpload(null);
        setError(describeError(e));
      },
    );
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (upload) return;
    const file = event.dataTransfer?.files?.[0];
    if (file) send(file);
  };

  const percent = upload ? Math.round(upload.fraction * 100) : 0;
  return (
    <Stack gap="xs">
      <Paper
        withBorder
        p="lg"
        data-testid="dropzone"
        onDragOver={(e: DragEvent<HTMLDivElement>) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        style={{
          borderStyle: 'dashed',
          borderWidth: 2,
          borderColor: dragging ? 'var(--mantine-primary-color-filled)' : undefined,
          background: dragging ? 'var(--mantine-primary-color-light)' : undefined,
        }}
      >
        {upload ? (
          <Stack gap={6}>
            <Group justify="space-between">
              <Text size="sm">
                {percent < 100 ? 'Uploading' : 'Validating'} {upload.file.name} ({formatBytes(upload.file.size)})
              </Text>
              <Button size="compact-xs" variant="subtle" onClick={() => upload.handle.abort()}>
                Cancel
              </Button>
            </Group>
            <Progress value={percent} size="lg" striped animated={percent >= 100} aria-label="Upload progress" data-testid="upload-progress" />
            <Text size="xs" c="dimmed">
              {percent} %
            </Text>
          </Stack>
        ) : (
          <Group justify="center" gap="sm">
            <Text size="sm" c="dimmed">
              {label}
            </Text>
            <Button size="xs" variant="light" onClick={() => input.current?.click()}>
              Choose file
            </Button>
          </Group>
        )}
        <input
          ref={input}
          type="file"
          accept={accept}
          hidden
          data-testid="upload-input"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) send(file);
          }}
        />
      </Paper>
      <ErrorAlert error={error} />
    </Stack>
  );
}
