import { Type } from '@sinclair/typebox';
import { command, Empty } from '../command-def';
import { SyncHealth, SyncStats } from '../inventory';

/** Inventory: manual refresh (coalesced per host), sync statistics and health. */
export const inventoryCommands = {
  'inventory.refresh': command(
    Type.Object({ hostId: Type.Optional(Type.String({ minLength: 1, hint: 'the id of a configured host (omit for all)' })) }, { additionalProperties: false }),
    Type.Object({ hostIds: Type.Array(Type.String()), coalesced: Type.Array(Type.String()) }),
    'refresh one host or all now; a host already refreshing is not refreshed twice',
  ),
  'inventory.syncStats': command(Empty, SyncStats, 'totals, fresh/stale/error counts, last full and quick sync'),
  'inventory.health': command(Empty, SyncHealth, 'healthy or not, with a list of issues'),
} as const;
