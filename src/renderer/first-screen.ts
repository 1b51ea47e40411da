import type { FirstScreen } from '../shared/first-screen';
import { CACHED_NOTE_STYLE, cachedNoteText } from './cached-note';

export { FIRST_SCREEN_ROWS, firstScreenOf, type FirstScreen } from '../shared/first-screen';

/**
 * The first screen, painted by the page's first script (main.tsx) from the inventory snapshot
 * while the app's own code (React, views, stores: ~490 kB) still downloads and compiles. That
 * chunk, the decoding of every row and React's first render of the whole app take ~300–450 ms
 * after the page has its data; this screen takes a few milliseconds. It shows what an admin opens
 * the app for — the VM figures and the first rows of the VM table, in the table's default order
 * (by name) — and, when the rows are the last session's snapshot, the "Cached, as of …" note.
 *
 * It is a picture, not the app: it has no handlers, and the app removes it in the same frame as
 * its own first render (dismissFirstScreen). Plain DOM on purpose: importing React here would
 * bring back the cost this screen exists to avoid.
 */

const ROW_HEIGHT = 30;

/**
 * Resolves as the next frame is about to paint (in its requestAnimationFrame callback): what the
 * caller starts then (the app's import: its evaluation is a task of its own) runs after that
 * frame, and no later. A timeout stands in where frames do not come (a hidden window).
 */
export function atNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    requestAnimationFrame(() => {
      clearTimeout(fallback);
      resolve();
    });
  });
}

const ELEMENT_ID = 'first-screen';

let dismissed = false;

function element(tag: string, props: { className?: string; testId?: string; text?: string; role?: string } = {}, ...children: Node[]): HTMLElement {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.testId) el.dataset.testid = props.testId;
  if (props.role) el.setAttribute('role', props.role);
  if (props.text !== undefined) el.textContent = props.text;
  el.append(...children);
  return el;
}

function figure(label: string, value: number, testId: string): HTMLElement {
  return element('div', { className: 'card figure' }, element('div', { className: 'figure-value', testId, text: String(value) }), element('div', { className: 'figure-label', text: label }));
}

const GRID_COLUMNS = 'minmax(200px, 1fr) 140px 200px';

function row(cells: string[], className: string): HTMLElement {
  const el = element('div', { className, role: 'row' }, ...cells.map((text) => element('div', { role: 'gridcell', text })));
  el.style.gridTemplateColumns = GRID_COLUMNS;
  el.style.height = `${ROW_HEIGHT}px`;
  return el;
}

/**
 * Paints `screen` over the page (fixed, above #root, so whatever the app shows meanwhile stays
 * hidden until it removes this). Does nothing once the app has rendered (dismissFirstScreen), so
 * an inventory answer that arrives after the app cannot cover it.
 */
export function paintFirstScreen(screen: FirstScreen, doc: Document = document): HTMLElement | undefined {
  if (dismissed || doc.getElementById(ELEMENT_ID)) return undefined;
  const rows = element('div', { testId: 'vm-rows', role: 'rowgroup' }, ...screen.rows.map((r) => row([r.name, r.state, r.host], r.placeholder ? 'vm-row placeholder' : 'vm-row')));
  const head = row(['Name', 'State', 'Host'], 'vm-row vm-head');
  head.setAttribute('role', 'presentation');
  const section = element(
    'section',
    {},
    element('h1', { text: 'Overview' }),
    element('div', { className: 'cards' }, figure('VMs', screen.vms, 'figure-vms'), figure('Running', screen.running, 'figure-running')),
    element('h2', { text: 'All virtual machines' }),
    element('div', { className: 'vm-table' }, element('div', { role: 'grid', className: 'vm-grid' }, head, rows)),
  );
  // The app's frame (its header bar and an empty sidebar) around the overview, so the page does not jump when the app takes over.
  const header = element('header', { className: 'header' }, element('span', { className: 'brand', text: 'Aether-V' }));
  const sidebar = element('nav', { className: 'sidebar' });
  sidebar.setAttribute('aria-hidden', 'true');
  const root = element('div', { className: 'app first-screen', testId: 'first-screen' }, header, element('div', { className: 'body' }, sidebar, element('main', { className: 'main' }, section)));
  root.id = ELEMENT_ID;
  root.setAttribute('aria-busy', 'true');
  Object.assign(root.style, { position: 'fixed', inset: '0', zIndex: '40', background: 'var(--bg)' });
  if (screen.cachedAt) {
    const note = element('p', { role: 'status', testId: 'inventory-cached', text: cachedNoteText(screen.cachedAt) });
    Object.assign(note.style, CACHED_NOTE_STYLE);
    root.append(note);
  }
  doc.body.prepend(root);
  return root;
}

/** Called by the app as it renders the first time (before that frame paints): the picture goes, the app stays. */
export function dismissFirstScreen(doc: Document = document): void {
  dismissed = true;
  doc.getElementById(ELEMENT_ID)?.remove();
}

/** For tests: a fresh page state. */
export function resetFirstScreenForTest(): void {
  dismissed = false;
}
