import { commandNames, commands, ContractError, ErrorCode, isCommandName, type CommandName } from '../../../src/shared/contract';
import { assertValid, compile } from '../../../src/main/validation/validator';
import type { FuzzTarget, Rng } from '../fuzz-target';
import { deeplyNested, fromSchema, mutate, nonJsonValue, randomJson, randomString, VALUE_MARKER } from '../support/values';

/**
 * Every contract command's request validation (src/shared/contract schemas through
 * src/main/validation, as the backend's dispatch runs it for IPC and WebSocket requests). Inputs:
 * requests shaped by each command's own schema, hostile mutations of them (wrong types, hostile
 * strings, extreme numbers, unknown and prototype keys, deep nesting, values only Electron IPC can
 * carry), random values and unknown command names. A refusal must be VALIDATION_FAILED naming
 * each field with a message, and must never repeat a submitted value.
 */
interface ContractInput {
  command: string;
  request: unknown;
}

export const target: FuzzTarget = {
  name: 'contract-requests',
  setup() {
    for (const name of commandNames) compile(commands[name].request); // compile once, outside the timed runs
  },
  generate(rng: Rng): ContractInput {
    const command = rng.chance(0.97) ? rng.pick(commandNames) : rng.pick([randomString(rng), '__proto__', 'constructor', 'hasOwnProperty', 'app.info ', 'APP.INFO']);
    const schema = isCommandName(command) ? (commands[command].request as unknown as Record<string, unknown>) : {};
    const valid = fromSchema(schema, rng);
    switch (rng.int(10)) {
      case 0:
      case 1:
      case 2:
      case 3:
        return { command, request: valid };
      case 4:
        return { command, request: rng.chance(0.5) ? randomJson(rng) : nonJsonValue(rng) };
      case 5:
        return { command, request: rng.chance(0.8) ? mutate(valid, rng, true) : deeplyNested(rng, rng.pick([1_000, 10_000])) };
      default:
        return { command, request: mutate(valid, rng, rng.chance(0.2)) };
    }
  },
  run(input) {
    const { command, request } = input as ContractInput;
    if (!isCommandName(command)) {
      if (Object.prototype.hasOwnProperty.call(commands, command)) throw new Error(`isCommandName refused "${command}", which the contract declares`);
      return; // dispatch answers UNKNOWN_COMMAND before any validation
    }
    try {
      assertValid(commands[command as CommandName].request, request ?? {});
    } catch (error) {
      checkRefusal(error);
    }
  },
};

function checkRefusal(error: unknown): void {
  if (!(error instanceof ContractError) || error.code !== ErrorCode.ValidationFailed) throw error;
  const fields = (error.details as { fields?: { field: unknown; message: unknown }[] } | undefined)?.fields;
  if (!Array.isArray(fields) || fields.length === 0) throw new Error('a refusal without field errors');
  for (const { field, message } of fields) {
    if (typeof field !== 'string' || field === '' || typeof message !== 'string' || message === '') throw new Error(`a field error without a field or message: ${JSON.stringify({ field, message })}`);
  }
  if (error.message.includes(VALUE_MARKER)) throw new Error('a refusal repeats a submitted value');
}
