import type { ConnectionTestResult } from '../../../shared/contract';

/** Each step as the person reads it, in the order a Windows host checks things. */
const STEP_LABELS: Record<ConnectionTestResult['steps'][number]['step'], string> = {
  identify: 'Reach WinRM (Identify, no password sent)',
  command: 'Sign in and run a command',
  hyperv: 'Hyper-V check',
};

export function ConnectionTestReport({ report }: { report: ConnectionTestResult | string }) {
  if (typeof report === 'string') {
    return (
      <p className="error" role="alert" data-testid="connection-report">
        {report}
      </p>
    );
  }
  return (
    <div className={`report ${report.ok ? 'report-ok' : 'report-failed'}`} role="status" data-testid="connection-report">
      <p>{report.message}</p>
      <ol>
        {report.steps.map((s) => (
          <li key={s.step} className={s.ok ? 'ok' : 'failed'}>
            {s.ok ? '✓' : '✗'} {STEP_LABELS[s.step]} ({s.durationMs} ms): {s.detail}
          </li>
        ))}
      </ol>
    </div>
  );
}
