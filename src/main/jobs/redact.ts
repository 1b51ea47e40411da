import { SECRET_MASK } from '../../shared/contract';

/**
 * Masks secret values wherever they appear in text the app keeps or shows (job lines, error
 * messages). Secrets are held only while a job that uses them is alive, then forgotten.
 */
export class SecretMasker {
  private readonly secrets = new Map<string, Set<string>>();

  add(jobId: string, values: string[]): void {
    const set = this.secrets.get(jobId) ?? new Set<string>();
    for (const v of values) if (v) set.add(v);
    this.secrets.set(jobId, set);
  }

  forget(jobId: string): void {
    this.secrets.delete(jobId);
  }

  mask(text: string): string {
    let out = text;
    for (const set of this.secrets.values()) {
      for (const secret of set) {
        if (secret.length < 3 || !out.includes(secret)) continue;
        out = out.split(secret).join(SECRET_MASK);
      }
    }
    return out;
  }
}
