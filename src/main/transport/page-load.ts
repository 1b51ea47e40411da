/**
 * The first page load of a browser-mode server: when the page was asked for and when every script
 * it names (module scripts and modulepreload links) has been sent. startBrowserApp lets the page
 * get its scripts before the backend starts opening its stores: the same thread serves both, and
 * the browser then compiles the app while the stores open instead of waiting for its scripts.
 */
export class FirstPageLoad {
  readonly requested: Promise<void>;
  readonly scriptsSent: Promise<void>;
  private markRequested!: () => void;
  private markScriptsSent!: () => void;
  private pending: Set<string> | undefined;

  constructor() {
    this.requested = new Promise((resolve) => (this.markRequested = resolve));
    this.scriptsSent = new Promise((resolve) => (this.markScriptsSent = resolve));
  }

  /** index.html went out: from now on, wait for the scripts it names. */
  pageSent(html: string): void {
    this.markRequested();
    if (this.pending) return; // a reload: the first load decides
    this.pending = new Set(scriptsNamedIn(html));
    if (this.pending.size === 0) this.markScriptsSent();
  }

  /** A bundle file went out (its URL path, e.g. /assets/index-x.js). */
  fileSent(urlPath: string): void {
    if (this.pending?.delete(urlPath) && this.pending.size === 0) this.markScriptsSent();
  }
}

/** URL paths of the scripts a page loads at once: `<script src>` and `<link rel="modulepreload" href>`, made absolute. */
export function scriptsNamedIn(html: string): string[] {
  const paths: string[] = [];
  for (const tag of html.match(/<(?:script|link)\b[^>]*>/g) ?? []) {
    const isScript = tag.startsWith('<script');
    if (!isScript && !/\brel="modulepreload"/.test(tag)) continue;
    const url = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if (url && !/^[a-z]+:/i.test(url)) paths.push(new URL(url, 'http://page/').pathname);
  }
  return paths;
}

/**
 * Waits until the first page has its scripts, but never long: a page that is not asked for
 * within `requestWithinMs` (serve without --open, the browser opened later) or whose scripts take
 * more than `scriptsWithinMs` does not hold the backend back.
 */
export async function pageHeadStart(page: FirstPageLoad, limits = { requestWithinMs: 150, scriptsWithinMs: 1000 }): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const after = (ms: number) => new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    const requested = await Promise.race([page.requested.then(() => true), after(limits.requestWithinMs)]);
    clearTimeout(timer);
    if (requested) await Promise.race([page.scriptsSent, after(limits.scriptsWithinMs)]);
  } finally {
    clearTimeout(timer);
  }
}
