import { useEffect, useState, type RefObject } from 'react';

/**
 * Whether an element is on screen (or within `ON_SCREEN_MARGIN` of it). Live figures in long
 * lists (the overview's host table: 2,000 rows at bench:scale) use it to stop following a stream
 * of changes while nobody can see them: their re-render, layout and paint cost every frame the
 * same as a visible one's. One observer serves every element. Without IntersectionObserver
 * (jsdom) everything counts as on screen, so the figures always follow.
 */
export const ON_SCREEN_MARGIN = '200px';

type Callback = (onScreen: boolean) => void;
let observer: IntersectionObserver | undefined;
const callbacks = new Map<Element, Callback>();

function shared(): IntersectionObserver {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) callbacks.get(e.target)?.(e.isIntersecting);
    },
    { rootMargin: ON_SCREEN_MARGIN },
  );
  return observer;
}

export const canObserveScreen = (): boolean => typeof IntersectionObserver === 'function';

/**
 * True while `ref`'s element is on screen. Starts false where it can be observed: the first render
 * shows the current value anyway, and the observer's first report (the next frame) turns the
 * visible ones on, which re-renders them with the value of that moment.
 */
export function useOnScreen(ref: RefObject<Element | null>): boolean {
  const [onScreen, setOnScreen] = useState(() => !canObserveScreen());
  useEffect(() => {
    const element = ref.current;
    if (!element || !canObserveScreen()) return;
    callbacks.set(element, setOnScreen);
    shared().observe(element);
    return () => {
      callbacks.delete(element);
      observer?.unobserve(element);
    };
  }, [ref]);
  return onScreen;
}
