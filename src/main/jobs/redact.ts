import { SECRET_MASK } from '../../shared/contract';
import { SecretSet } from '../secrets/masking';

/**
 * Masks secret values wherever they appear in text the app keeps or shows (job lines, error
 * messages), as typed and in their JSON-escaped forms. Secrets are held only while a job that
 * uses them is alive: the job service forgets them when the job ends (JobService.finish).
 */
export class SecretMasker {
  private readonly secrets = new SecretSet(SECRET_MASK);
  private readonly jobs = new Set<string>();

  add(jobId: string, values: string[]): void {
    this.secrets.add(jobId, values);
    this.jobs.add(jobId);
  }

  forget(jobId: string): void {
    this.secrets.forget(jobId);
    this.jobs.delete(jobId);
  }

  /** Jobs whose secrets are still held (ended jobs must not be here). */
  get heldJobs(): number {
    return this.jobs.size;
  }

  mask(text: string): string {
    return this.secrets.mask(text);
  }

  /** A copy of a structured value (a job result, an error) with every held secret masked. */
  maskValue<T>(value: T): T {
    return this.secrets.maskValue(value, { bounded: false }) as T;
  }
}
