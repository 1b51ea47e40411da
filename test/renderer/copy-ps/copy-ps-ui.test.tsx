// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CopyPsButton, CopyPsDialog, CopyPsPickerButton, pickerScript, psTargets, useCopyPs } from '../../../src/renderer/features/copy-ps';
import { copyParams } from '../../../src/renderer/features/copy-ps/draft-params';
import { vmMenuItems } from '../../../src/renderer/features/shell/context-menu-items';
import { useApp } from '../../../src/renderer/stores/app-store';
import { useInventory } from '../../../src/renderer/stores/inventory-store';
import type { InventoryVm } from '../../../src/shared/contract';
import { domPerTest, loadFleet } from '../dom-harness';
import { fleet, makeVm } from '../fixtures';

const dom = domPerTest();
let clipboard: string[] = [];
let toasts: string[] = [];
let refuseClipboard = false;

beforeEach(() => {
  clipboard = [];
  toasts = [];
  refuseClipboard = false;
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: async (text: string) => (refuseClipboard ? Promise.reject(new Error('denied')) : void clipboard.push(text)) },
  });
});
afterEach(() => act(() => useCopyPs.setState({ request: undefined })));

/** Two hosts; on hv00 two VMs named "web" and "WEB" (Hyper-V's -Name does not tell them apart). */
function psFleet() {
  const f = fleet(2, 3);
  f.vms[0] = makeVm('hv00', 0, { name: 'web', state: 'Running' });
  f.vms[1] = makeVm('hv00', 1, { name: 'WEB', state: 'Running' });
  f.vms[2] = makeVm('hv00', 2, { name: "o'brien", state: 'Off' });
  f.vms[3] = makeVm('hv01', 0, { name: 'web', state: 'Running' });
  loadFleet(f);
  useApp.setState({ toast: (_level, text) => void toasts.push(text) });
  return f;
}
const src = () => ({ vms: useInventory.getState().model.vms.values(), hosts: useApp.getState().hosts, inventoryHosts: useInventory.getState().model.hosts });

describe('Copy as PowerShell in the renderer', () => {
  test('a name shared on its host (case aside) is addressed by id; the same name on another host is not a duplicate', () => {
    const f = psFleet();
    const targets = psTargets([f.vms[0]!, f.vms[2]!, f.vms[3]!], src());
    expect(targets.map((t) => [t.vmName, t.computerName, t.nameUnique])).toEqual([
      ['web', 'hv00.lab.local', false],
      ["o'brien", 'hv00.lab.local', true],
      ['web', 'hv01.lab.local', true],
    ]);
    const one = pickerScript([f.vms[0]!], { operation: 'turnoff', deleteDisks: false, checkpointName: '' }, src());
    expect(one).toEqual({ text: `Get-VM -ComputerName 'hv00.lab.local' -Id '${f.vms[0]!.vmId}' | Stop-VM -TurnOff -Force`, skipped: 0 });
  });

  test('a selection is one script grouped by host; VMs whose state does not allow it are left out and counted', () => {
    const f = psFleet();
    const result = pickerScript([f.vms[3]!, f.vms[2]!, f.vms[1]!, f.vms[0]!], { operation: 'shutdown', deleteDisks: false, checkpointName: '' }, src());
    expect(result).toEqual({
      skipped: 1,
      text: [
        '# HV01 (1 VM)',
        "Stop-VM -ComputerName 'hv01.lab.local' -Name 'web'",
        '',
        '# HV00 (2 VMs)',
        `Get-VM -ComputerName 'hv00.lab.local' -Id '${f.vms[1]!.vmId}' | Stop-VM`,
        `Get-VM -ComputerName 'hv00.lab.local' -Id '${f.vms[0]!.vmId}' | Stop-VM`,
      ].join('\n'),
    });
    expect(pickerScript([f.vms[2]!], { operation: 'shutdown', deleteDisks: false, checkpointName: '' }, src())).toEqual({ error: 'None of these VMs can shut down in its current state.' });
    expect(pickerScript([f.vms[0]!, f.vms[3]!], { operation: 'checkpoint.create', deleteDisks: false, checkpointName: '  ' }, src())).toEqual({ error: 'Fill in the checkpoint name first: the command needs it' });
  });

  test('the right-click menu offers it for one VM and for a selection; the picker previews and copies with a toast', async () => {
    const f = psFleet();
    const item = vmMenuItems(f.vms[2]!).find((i) => i.id === 'copy-ps')!;
    expect(item.label).toBe('Copy as PowerShell…');
    const selection = vmMenuItems(f.vms[0]!, new Set([f.vms[0]!.key, f.vms[3]!.key])).find((i) => i.id === 'copy-ps')!;
    expect(selection.label).toBe('Copy as PowerShell for 2 selected VMs…');

    dom.render(<CopyPsDialog />);
    act(() => item.run());
    const select = dom.container.querySelector('[data-testid="copy-ps-operation"]') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['start', 'shutdown', 'turnoff', 'restart', 'save', 'pause', 'resume', 'delete', 'checkpoint.create']);
    // The VM is Off: Shut down is refused in words, Start gives the command.
    expect(dom.text('copy-ps-error')).toBe('None of these VMs can shut down in its current state.');
    act(() => {
      select.value = 'start';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect((dom.container.querySelector('[data-testid="ps-preview"]') as HTMLTextAreaElement).value).toBe("Start-VM -ComputerName 'hv00.lab.local' -Name 'o''brien'");
    await act(async () => (dom.container.querySelector('[data-testid="copy-ps-copy"]') as HTMLButtonElement).click());
    expect(clipboard).toEqual(["Start-VM -ComputerName 'hv00.lab.local' -Name 'o''brien'"]);
    expect(toasts).toEqual(["Copied the PowerShell for start o'brien to the clipboard."]);
    expect(useCopyPs.getState().request).toBeUndefined();
  });

  test('the VM page and bulk bar button opens the picker; a refused clipboard shows the text to copy by hand', async () => {
    const f = psFleet();
    dom.render(
      <>
        <CopyPsPickerButton keys={[f.vms[3]!.key]} />
        <CopyPsDialog />
      </>,
    );
    act(() => (dom.container.querySelector('[data-testid="copy-ps-open"]') as HTMLButtonElement).click());
    expect((dom.container.querySelector('[data-testid="ps-preview"]') as HTMLTextAreaElement).value).toBe("Stop-VM -ComputerName 'hv01.lab.local' -Name 'web'");
    refuseClipboard = true;
    await act(async () => (dom.container.querySelector('[data-testid="copy-ps-copy"]') as HTMLButtonElement).click());
    expect(useCopyPs.getState().request).toMatchObject({ kind: 'preview', title: 'PowerShell for shut down web' });
    expect((dom.container.querySelector('[data-testid="ps-preview"]') as HTMLTextAreaElement).value).toBe("Stop-VM -ComputerName 'hv01.lab.local' -Name 'web'");
    expect(toasts).toEqual([]);
  });

  test("an operation dialog's button copies the command for the values typed, or names the field still wrong", async () => {
    const f = psFleet();
    let draft: Record<string, string | boolean> = { count: 'four' };
    const vm: InventoryVm = f.vms[3]!;
    dom.render(<CopyPsButton operation="processors" vms={[vm]} params={() => copyParams('processors', draft)} />);
    const button = dom.container.querySelector('[data-testid="op-copy-ps"]') as HTMLButtonElement;
    await act(async () => button.click());
    expect(clipboard).toEqual([]);
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toMatch(/^Copy as PowerShell: fix count first: /);
    draft = { count: '4' };
    await act(async () => button.click());
    expect(clipboard).toEqual(["Set-VMProcessor -ComputerName 'hv01.lab.local' -VMName 'web' -Count 4"]);
    expect(toasts[1]).toBe('Copied the PowerShell for change the processors of web to the clipboard.');
  });
});
