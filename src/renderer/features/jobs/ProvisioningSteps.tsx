import type { JobLine, JobRecord } from '../../../shared/contract';
import { provisioningSteps, type StepStatus } from './provisioning-steps';

const MARK: Record<StepStatus, string> = { done: '✓', current: '…', failed: '✗', stopped: '■' };
const STATUS_WORDS: Record<StepStatus, string> = { done: 'done', current: 'in progress', failed: 'failed', stopped: 'stopped' };

/** A create job's steps, live from its output, with what to do next under a failed one. */
export function ProvisioningSteps({ job, lines }: { job: JobRecord; lines: readonly JobLine[] }) {
  const steps = provisioningSteps(job, lines);
  if (steps.length === 0) return null;
  return (
    <section className="panel provisioning-steps" aria-label="Provisioning steps">
      <h2>Steps</h2>
      <ol data-testid="provisioning-steps">
        {steps.map((s) => (
          <li key={s.step} className={`step-${s.status}`} data-step={s.step} data-status={s.status}>
            <span className="step-mark" aria-hidden="true">
              {MARK[s.status]}
            </span>{' '}
            {s.label} <span className="visually-hidden">({STATUS_WORDS[s.status]})</span>
            {s.advice && (
              <p className="step-advice" data-testid="step-advice">
                {s.advice}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
