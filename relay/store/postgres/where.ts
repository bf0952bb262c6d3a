/** The server and database of a PostgreSQL URL, for what the relay prints: never its user or password. */
export function databaseHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host || 'localhost'}${u.pathname}`;
  } catch {
    return 'the configured server';
  }
}
