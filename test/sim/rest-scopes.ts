// Which REST scope (docs/reference/planfix-api.md §3.4) each simulated endpoint needs; a token limited to some
// scopes gets code 5 for the others, before any validation, as a scoped Planfix token would.

export const ALL_SCOPES = [
  'contact_readonly', 'contact_add', 'contact_update', 'task_readonly', 'task_add', 'task_update',
  'comment_readonly', 'comment_add', 'user_readonly', 'process_readonly', 'file_add',
] as const;
export type RestScope = (typeof ALL_SCOPES)[number];

export function scopeOf(method: string, path: string): RestScope | undefined {
  const seg = path.replace(/^\/rest/, '').replace(/\/+$/, '').split('/').slice(1);
  const [entity, second, third, fourth] = seg;
  if (entity === 'ping') return undefined;
  if (entity === 'process') return 'process_readonly';
  if (entity === 'user') return 'user_readonly';
  if (entity === 'file') return 'file_add';
  if ((entity === 'task' || entity === 'contact') && third === 'comments') {
    return method === 'POST' && fourth !== 'list' ? 'comment_add' : 'comment_readonly';
  }
  if (entity === 'task' || entity === 'contact') {
    if (method === 'GET' || second === 'list' || second === 'templates') return `${entity}_readonly`;
    return second === undefined ? `${entity}_add` : `${entity}_update`;
  }
  if (entity === 'customfield') return 'task_readonly';
  return undefined;
}
