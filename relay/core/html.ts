/**
 * Text made safe to put into the HTML Planfix renders (task descriptions, task and contact
 * comments): every value that came from a provider or a visitor goes through here, so a browser
 * name like `<img src=x onerror=…>` shows as text instead of running in an employee's session.
 * Quotes are escaped too, so the result may also stand inside an attribute value.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
