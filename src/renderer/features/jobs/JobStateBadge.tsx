import type { JobState } from '../../../shared/contract';
import { JOB_STATE_LABEL } from '../../../shared/job-words';

const TONE: Record<JobState, string> = { queued: 'off', running: 'busy', succeeded: 'ok', failed: 'bad', cancelled: 'off', interrupted: 'warn' };

export function JobStateBadge({ state }: { state: JobState }) {
  return (
    <span className={`job-state job-state-${TONE[state]}`} data-testid="job-state" data-state={state}>
      {JOB_STATE_LABEL[state]}
    </span>
  );
}
