import { create } from 'zustand';
import type { SavedView } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { useColumnPrefs } from '../../components/vm-table/column-prefs';
import { knownColumns } from './view-model';

const NO_VIEWS: readonly SavedView[] = [];

/** The saved views, in the sidebar's order (settings ui.views). */
export function useSavedViews(): readonly SavedView[] {
  return useApp((s) => s.settings?.ui?.views ?? NO_VIEWS);
}

/**
 * Stores the whole list (the order is the sidebar's) through settings.update; the app's settings
 * follow the answer. Returns the error message for a person, or undefined when saved.
 */
export async function saveViews(views: readonly SavedView[]): Promise<string | undefined> {
  const backend = useApp.getState().backend;
  if (!backend) return 'Not connected to the backend.';
  const result = await backend.invoke('settings.update', { ui: { views: [...views] } });
  if (!result.ok) return result.error.message;
  useApp.getState().setSettings(result.data);
  return undefined;
}

/**
 * A view to apply to the overview's table: the sidebar sets it and navigates; the table takes its
 * query, sort and grouping (the nonce makes a second click on the same view apply it again).
 */
interface ViewRequestState {
  request?: { view: SavedView; nonce: number };
  /** The view the overview table shows now (cleared when the user edits the query or sort). */
  active?: string;
  setActive(name: string | undefined): void;
}
export const useViewRequest = create<ViewRequestState>((set) => ({ setActive: (active) => set({ active }) }));
let nonce = 0;

/** Opens the overview with this view: its columns become the table's, its query and sort go to the table. */
export function openView(view: SavedView): void {
  useColumnPrefs.getState().applyView(knownColumns(view), view.groupBy);
  useViewRequest.setState({ request: { view, nonce: ++nonce }, active: view.name });
  useApp.getState().navigate({ name: 'overview' });
}
