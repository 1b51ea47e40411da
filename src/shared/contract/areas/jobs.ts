import { command, ById, Empty } from '../command-def';
import {
  BulkAnyRequest,
  BulkPreviewResponse,
  BulkRunResponse,
  JobExportRequest,
  JobExportResponse,
  JobGetRequest,
  JobGetResponse,
  JobInputSchema,
  JobListRequest,
  JobListResponse,
  JobRecord,
  JobSubmitRequest,
  JobSubmitResponse,
  JobValidateRequest,
  JobValidateResponse,
  VmActionRequest,
  VmDeleteRequest,
} from '../jobs';
import { VmOperateRequest } from '../vm-operation-params';

/** Jobs: the create-VM schema and validation, the job queue, VM actions (single and bulk), export. */
export const jobsCommands = {
  'jobs.schema': command(Empty, JobInputSchema, 'the job input schema (with its version) the create-VM form is rendered from'),
  'jobs.validate': command(
    JobValidateRequest,
    JobValidateResponse,
    'check create-VM values exactly as a submission will: cleaned values, or every field error; a stale schema version is refused',
  ),
  'jobs.submit': command(JobSubmitRequest, JobSubmitResponse, 'queue a create-VM job (validated and safeguarded first; nothing is queued on refusal)'),
  'vm.action': command(VmActionRequest, JobRecord, 'queue a VM power action (start, shutdown, turnoff, restart, save, pause, resume)'),
  'vm.delete': command(VmDeleteRequest, JobRecord, 'queue a VM deletion; confirmName must equal the VM name (case-sensitive)'),
  'vm.operate': command(VmOperateRequest, JobRecord, 'queue a hardware edit, checkpoint operation or move of one VM (operations and parameters: vm-operations.ts)'),
  'jobs.list': command(JobListRequest, JobListResponse, 'jobs matching a filter (state, type, host), sorted, at most limit'),
  'jobs.get': command(JobGetRequest, JobGetResponse, 'one job and its output lines from fromLine on'),
  'jobs.cancel': command(ById, JobRecord, 'cancel a queued or running job (a bulk job: every item not finished)'),
  'vm.bulkPreview': command(BulkAnyRequest, BulkPreviewResponse, 'what a bulk action (or a bulk-allowed edit operation with its params) would do per VM: will run, or skipped with the reason'),
  'vm.bulkRun': command(BulkAnyRequest, BulkRunResponse, 'run an action on many VMs across hosts (per-host caps apply); skipped VMs are reported'),
  'jobs.retryFailed': command(ById, BulkRunResponse, 'queue the failed (or cancelled/interrupted) items of a bulk job again under the same bulk job'),
  'jobs.export': command(JobExportRequest, JobExportResponse, 'one job as .log/.json, or every job matching a filter as .ndjson/.zip (base64)'),
} as const;
