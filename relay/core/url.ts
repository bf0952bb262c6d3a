/** `path` under a base URL an admin typed, with or without a slash at its end. */
export function urlUnder(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
