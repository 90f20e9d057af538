import { Alert, List } from '@mantine/core';

/** What keeps a form from being sent, listed once the user has tried to send it. */
export function ProblemsAlert({ show, title, problems }: { show: boolean; title: string; problems: string[] }) {
  if (!show || problems.length === 0) {
    return null;
  }
  return (
    <Alert color="yellow" title={title}>
      <List size="sm">
        {problems.map((p) => (
          <List.Item key={p}>{p}</List.Item>
        ))}
      </List>
    </Alert>
  );
}
