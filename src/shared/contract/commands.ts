import type { Static } from '@sinclair/typebox';
import { foundationCommands } from './areas/foundation';
import { inventoryCommands } from './areas/inventory';
import { deploymentCommands } from './areas/deployment';
import { jobsCommands } from './areas/jobs';
import { metricsCommands } from './areas/metrics';
import { connectCommands } from './areas/connect';
import { tagsCommands } from './areas/tags';
import { hygieneCommands } from '../hygiene/contract';

/**
 * Every command the renderer can invoke, declared once per area (src/shared/contract/areas/*):
 * name → request schema, response schema. Types come from the same schemas (Static<>), and the
 * backend validates every request with ajv. A name may appear in only one area.
 */
export const commands = {
  ...foundationCommands,
  ...inventoryCommands,
  ...deploymentCommands,
  ...jobsCommands,
  ...metricsCommands,
  ...connectCommands,
  ...tagsCommands,
  ...hygieneCommands,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type RequestOf<C extends CommandName> = Static<Commands[C]['request']>;
export type ResponseOf<C extends CommandName> = Static<Commands[C]['response']>;
export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}
