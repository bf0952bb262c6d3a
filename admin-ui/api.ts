import type { FieldIssue } from './field-errors.ts';

// The admin API, with the token the admin entered once (kept for this tab only).

const KEY = 'planfix-relay-admin-token';

export class ApiError extends Error {
  /** The field the API refused and why, when it names one. */
  constructor(readonly status: number, message: string, readonly issue?: FieldIssue) {
    super(message);
  }
}

export const token = {
  get: () => sessionStorage.getItem(KEY) ?? '',
  set: (t: string) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token.get()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!res.ok) throw new ApiError(res.status, json?.error ?? `HTTP ${res.status}`, json?.field?.path ? json.field as FieldIssue : undefined);
  return json as T;
}
