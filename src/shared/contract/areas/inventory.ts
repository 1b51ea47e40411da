import { Type } from '@sinclair/typebox';
import { command, Empty } from '../command-def';
import { HostOptions, InventoryVmDetail, SyncHealth, SyncStats } from '../inventory';

/** Inventory: manual refresh (coalesced per host), sync statistics, health, VM details and host options. */
export const inventoryCommands = {
  'inventory.refresh': command(
    Type.Object({ hostId: Type.Optional(Type.String({ minLength: 1, hint: 'the id of a configured host (omit for all)' })) }, { additionalProperties: false }),
    Type.Object({ hostIds: Type.Array(Type.String()), coalesced: Type.Array(Type.String()) }),
    'refresh one host or all now; a host already refreshing is not refreshed twice',
  ),
  'inventory.syncStats': command(Empty, SyncStats, 'totals, fresh/stale/error counts, last full and quick sync'),
  'inventory.health': command(Empty, SyncHealth, 'healthy or not, with a list of issues'),
  'inventory.vm': command(
    Type.Object(
      {
        hostId: Type.String({ minLength: 1, hint: 'the id of the host the VM is on' }),
        vmId: Type.String({ minLength: 1, hint: 'the Hyper-V GUID of the VM' }),
      },
      { additionalProperties: false },
    ),
    InventoryVmDetail,
    "one VM's row plus what only its page shows: disks, network adapters, notes, memory limits",
  ),
  'inventory.hostOptions': command(
    Type.Object({ hostId: Type.String({ minLength: 1, hint: 'the id of a configured host' }) }, { additionalProperties: false }),
    HostOptions,
    'the virtual switches and VM folders seen on a host, for the create-VM form',
  ),
} as const;
