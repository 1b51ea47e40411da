import { create } from 'zustand';
import { select, type SelectAction, type Selection } from '../components/vm-table/table-model';

/**
 * The VMs selected in the VM table on screen. A store rather than component state so bulk
 * actions (the jobs issue) can read it from anywhere; `scope` names the table it belongs to and
 * a table showing another scope starts with an empty selection.
 */
export interface SelectionState {
  scope: string;
  selection: Selection;
  dispatch(scope: string, action: SelectAction): void;
}

export const useVmSelection = create<SelectionState>((set) => ({
  scope: '',
  selection: { keys: new Set() },
  dispatch: (scope, action) =>
    set((s) => ({ scope, selection: select(s.scope === scope ? s.selection : { keys: new Set() }, action) })),
}));
