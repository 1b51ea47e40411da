// The simulated host side of our PowerShell agent: Invoke-AgentOperation.ps1, once deployed into a
// host's virtual file system, dispatches the app's base64 JSON envelope to TypeScript operations.
import type { SimHost } from '../host';
import { deploymentOperations } from './deployment';
import { faultsFor, writeFlood } from './faults';
import { inventoryOperations } from './inventory';
import { jobOperations } from './jobs';
import { orphanDiskOperations } from './orphan-disks';
import { AgentOperationError, type AgentEnvelope, type AgentOperation } from './types';

export const AGENT_ENTRY_SCRIPT = 'Invoke-AgentOperation.ps1';

export function agentOperations(): Record<string, AgentOperation> {
  return { ...deploymentOperations, ...inventoryOperations, ...jobOperations, ...orphanDiskOperations };
}

function decodeEnvelope(stdin: string): AgentEnvelope {
  const text = Buffer.from(stdin.trim(), 'base64').toString('utf8');
  const parsed = JSON.parse(text) as AgentEnvelope;
  if (typeof parsed?.operation !== 'string') throw new AgentOperationError('BAD_ENVELOPE', 'The envelope has no operation.');
  return { ...parsed, fields: parsed.fields ?? {} };
}

/** Registers the entry script's handler; it only runs when the script exists in the host's files. */
export function installAgentSimulation(host: SimHost): void {
  host.registerScriptHandler(AGENT_ENTRY_SCRIPT, async (ctx) => {
    const line = (prefix: string, body: unknown) => ctx.stdout(`${prefix} ${JSON.stringify(body)}\r\n`);
    let envelope: AgentEnvelope | undefined;
    try {
      envelope = decodeEnvelope(ctx.stdin || (await ctx.readStdin()));
      const operation = agentOperations()[envelope.operation];
      if (!operation) throw new AgentOperationError('UNKNOWN_OPERATION', `Unknown operation '${envelope.operation}'.`);
      const data = await operation({
        host,
        envelope,
        signal: ctx.signal,
        log: (message, level = 'info', step) => line('AETHERV-LOG', { t: new Date().toISOString(), level, message, ...(step ? { step } : {}) }),
        sleep: (ms) => ctx.sleep(ms),
      });
      const faults = faultsFor(host, envelope.operation);
      if (faults) {
        if (faults.floodStdoutBytes > 0) await writeFlood((text) => ctx.stdout(text), faults.floodStdoutBytes, ctx.signal);
        if (faults.noResult) {
          ctx.stdout('Invoke-AgentOperation: stopped before writing a result\r\n');
          return 1;
        }
        if (faults.resultNotJson) {
          ctx.stdout(`AETHERV-RESULT {"status":"ok","operation":"${envelope.operation}","data":{"VirtualMachines":[{"Name":"vm\r\n`);
          return 0;
        }
        if (faults.floodResultBytes > 0) {
          const result = { status: 'ok', operation: envelope.operation, correlationId: envelope.correlationId ?? null, data: data ?? null, padding: 'x'.repeat(faults.floodResultBytes) };
          line('AETHERV-RESULT', result);
          return 0;
        }
      }
      line('AETHERV-RESULT', { status: 'ok', operation: envelope.operation, correlationId: envelope.correlationId ?? null, data: data ?? null });
      return 0;
    } catch (error) {
      const e = error as Error & { code?: string; details?: unknown };
      line('AETHERV-RESULT', {
        status: 'error',
        operation: envelope?.operation ?? null,
        correlationId: envelope?.correlationId ?? null,
        error: { code: e instanceof AgentOperationError ? e.code : 'UNEXPECTED', message: e.message, exceptionType: 'System.Exception', ...(e.details ? { details: e.details } : {}) },
      });
      return 1;
    }
  });
}

export { AgentOperationError, type AgentEnvelope, type AgentOperation, type AgentOperationContext } from './types';
