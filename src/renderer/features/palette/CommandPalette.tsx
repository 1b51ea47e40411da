import { useEffect, useMemo, useRef, useState } from 'react';
import { useApp } from '../../stores/app-store';
import { useInventory } from '../../stores/inventory-store';
import { useJobs } from '../../stores/jobs-store';
import { useVmSelection } from '../../stores/selection-store';
import { targetsOf } from '../jobs/bulk-model';
import { confirmsDestructive, runVmAction } from '../jobs/job-commands';
import { chooseOperation } from '../vm-ops/operation-store';
import { openBulkOperation } from '../vm-ops/BulkOperationDialog';
import { isPaletteShortcut, matchCommands, paletteCommands, type PaletteCommand } from './palette-model';
import './palette.css';

/** Opens the palette on Ctrl+Shift+P / Ctrl+P anywhere in the app (mounted once, by JobsOverlays). */
export function usePaletteShortcut(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isPaletteShortcut(e)) return;
      e.preventDefault(); // Ctrl+P would print the page
      useJobs.setState((s) => ({ paletteOpen: !s.paletteOpen }));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function CommandPalette() {
  const open = useJobs((s) => s.paletteOpen);
  if (!open) return null;
  return <Palette onClose={() => useJobs.setState({ paletteOpen: false })} />;
}

function Palette({ onClose }: { onClose(): void }) {
  const view = useApp((s) => s.view);
  const navigate = useApp((s) => s.navigate);
  const selectedKeys = useVmSelection((s) => s.selection.keys);
  const model = useInventory((s) => s.model);
  const version = useInventory((s) => s.version);
  const confirm = useApp((s) => confirmsDestructive(s.settings));
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const commands = useMemo(() => paletteCommands({ view, selectedKeys: [...selectedKeys], vms: model.vms, confirmDestructiveActions: confirm, hosts: model.hosts.values() }), [view, selectedKeys, model, version, confirm]);
  const shown = matchCommands(commands, query);

  useEffect(() => input.current?.focus(), []);

  const run = (c: PaletteCommand | undefined) => {
    if (!c || (c.kind === 'vm-operation' && c.disabled)) return;
    onClose();
    switch (c.kind) {
      case 'navigate':
        navigate(c.view);
        break;
      case 'vm-action': {
        const vm = model.vms.get(c.vmKey);
        // The palette closes first; a destructive action then asks in its own dialog.
        if (vm) void runVmAction(vm, c.action);
        break;
      }
      case 'vm-operation': {
        const vm = model.vms.get(c.vmKey);
        if (vm) chooseOperation(vm, c.operation);
        break;
      }
      case 'bulk-operation':
        openBulkOperation(c.operation, c.keys);
        break;
      case 'vm-delete':
        useJobs.setState({ deleteKey: c.vmKey });
        break;
      case 'bulk':
        useJobs.setState({ bulkRequest: { action: c.action, targets: targetsOf(c.keys, model.vms) } });
        break;
    }
  };

  let lastGroup = '';
  return (
    <div className="palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="palette">
        <input
          ref={input}
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={shown[active] ? `palette-${active}` : undefined}
          placeholder="Type a command (VM actions on the selection, Go to…)"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, shown.length - 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
            else if (e.key === 'Enter') run(shown[active]);
            else if (e.key === 'Escape') onClose();
            else return;
            e.preventDefault();
          }}
          data-testid="palette-input"
        />
        <ul id="palette-list" role="listbox" aria-label="Commands">
          {shown.length === 0 && <li className="muted">No matching command</li>}
          {shown.map((c, i) => {
            const header = c.group !== lastGroup ? c.group : undefined;
            lastGroup = c.group;
            return (
              <li
                key={c.id}
                id={`palette-${i}`}
                role="option"
                aria-selected={i === active}
                className={`${i === active ? 'active' : ''} ${c.kind === 'vm-operation' && c.disabled ? 'disabled' : ''}`}
                aria-disabled={c.kind === 'vm-operation' && c.disabled ? true : undefined}
                data-group={header}
                data-testid="palette-item"
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  run(c);
                }}
              >
                {header && <span className="palette-group">{header}</span>}
                {c.label}
                {c.kind === 'vm-operation' && c.disabled && <span className="palette-reason">{c.disabled}</span>}
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
