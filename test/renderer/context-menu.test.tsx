// @vitest-environment jsdom
// The context menu closes when the page scrolls, but not for a scroll that was already under way
// when it opened (a row scrolled into view just before the right-click, the page's remembered
// scroll position restored): that late event used to close the menu the moment it appeared.
import { act } from 'react';
import { describe, expect, test } from 'vitest';
import { ContextMenu, useContextMenu } from '../../src/renderer/components/ContextMenu';
import { domPerTest } from './dom-harness';

const dom = domPerTest();
const nextFrame = () => act(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
const menu = () => dom.container.querySelector('[role="menu"]');

describe('context menu and scrolling', () => {
  test('a scroll delivered before the next frame keeps the menu; a scroll after it closes the menu', async () => {
    dom.render(<ContextMenu />);
    act(() => useContextMenu.getState().show(40, 40, 'web-01', [{ id: 'open', label: 'Open', run: () => undefined }]));
    expect(menu()?.getAttribute('aria-label')).toBe('web-01');

    // The scroll that happened before the right-click arrives now, in the same frame.
    act(() => void window.dispatchEvent(new Event('scroll')));
    expect(menu()).not.toBeNull();

    await nextFrame();
    act(() => void document.body.dispatchEvent(new Event('scroll')));
    expect(menu()).toBeNull();
  });
});
