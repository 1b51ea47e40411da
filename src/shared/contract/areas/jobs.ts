import { command, Empty } from '../command-def';
import { JobInputSchema, JobValidateRequest, JobValidateResponse } from '../jobs';

/** Jobs: the create-VM input schema and the validation every submission goes through. */
export const jobsCommands = {
  'jobs.schema': command(Empty, JobInputSchema, 'the job input schema (with its version) the create-VM form is rendered from'),
  'jobs.validate': command(
    JobValidateRequest,
    JobValidateResponse,
    'check create-VM values exactly as a submission will: cleaned values, or every field error; a stale schema version is refused',
  ),
} as const;
