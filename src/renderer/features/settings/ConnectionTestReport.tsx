import type { ConnectionTestResult } from '../../../shared/contract';

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
            {s.ok ? '✓' : '✗'} {s.step} ({s.durationMs} ms): {s.detail}
          </li>
        ))}
      </ol>
    </div>
  );
}
