import type { Target } from './detect.ts';

// Where the panel goes. Planfix has renamed its classes before, so several anchors are tried,
// from the ones known today to looser matches; without any, the panel floats over the page.
// A contact's view is matched by its own names only (unconfirmed: the task view's are the known
// ones): it lists the contact's tasks, whose titles must not be taken for the view's.
const ANCHORS: Record<Target['kind'], string[]> = {
  task: [
    '.taskview-actions',
    '.js-task-title',
    '[class*="taskview-actions"]',
    '[class*="taskview-title"]',
    '[class*="task-title"]',
  ],
  contact: [
    '.contactview-actions',
    '.js-contact-title',
    '[class*="contactview-actions"]',
    '[class*="contactview-title"]',
  ],
};

function findAnchor(kind: Target['kind']): Element | undefined {
  for (const selector of ANCHORS[kind]) {
    const found = document.querySelector(selector);
    if (found) return found;
  }
  return undefined;
}

/** Puts the host next to an anchor or floating; touches the DOM only when it is not already so. */
export function place(host: HTMLElement, kind: Target['kind']): void {
  const anchor = findAnchor(kind);
  if (anchor?.parentNode) {
    if (anchor.nextElementSibling !== host) anchor.after(host);
    if (host.hasAttribute('floating')) host.removeAttribute('floating');
  } else {
    if (host.parentNode !== document.body) document.body.append(host);
    if (!host.hasAttribute('floating')) host.setAttribute('floating', '');
  }
}

export function unmount(host: HTMLElement): void {
  if (host.isConnected) host.remove();
}
