// Where the panel goes. Planfix has renamed its classes before, so several anchors are tried,
// from the ones known today to looser matches; without any, the panel floats over the page.
const ANCHORS = [
  '.taskview-actions',
  '.js-task-title',
  '[class*="taskview-actions"]',
  '[class*="taskview-title"]',
  '[class*="task-title"]',
];

function findAnchor(): Element | undefined {
  for (const selector of ANCHORS) {
    const found = document.querySelector(selector);
    if (found) return found;
  }
  return undefined;
}

/** Puts the host next to an anchor or floating; touches the DOM only when it is not already so. */
export function place(host: HTMLElement): void {
  const anchor = findAnchor();
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
