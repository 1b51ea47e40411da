import { useEffect, useState } from 'react';
import type uPlot from 'uplot';

/**
 * uPlot, loaded on the first chart rather than with the app: no first screen draws a chart before
 * its history arrives, so the start bundle stays smaller, and a page without charts (or a DOM
 * without matchMedia, which uPlot reads as it loads) never evaluates it.
 */
let loaded: typeof uPlot | undefined;
let loading: Promise<typeof uPlot> | undefined;

function loadUplot(): Promise<typeof uPlot> {
  loading ??= import('uplot').then((module) => (loaded = module.default));
  return loading;
}

/** The uPlot constructor once it is loaded; undefined before (and if it cannot load: no chart). */
export function useUplot(): typeof uPlot | undefined {
  const [ctor, setCtor] = useState<typeof uPlot | undefined>(() => loaded);
  useEffect(() => {
    if (ctor) return;
    let live = true;
    loadUplot().then(
      (c) => live && setCtor(() => c),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [ctor]);
  return ctor;
}
