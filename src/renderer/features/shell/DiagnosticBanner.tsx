import { useApp } from '../../stores/app-store';

/** Diagnostic mode explained: what is wrong and what to do, instead of a blank or crashed app. */
export function DiagnosticBanner() {
  const health = useApp((s) => s.health);
  if (!health || health.mode !== 'diagnostic') return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="diagnostic-banner">
      <strong>Diagnostic mode.</strong> Aether-V started with configuration problems and will not change anything until they are fixed:
      <ul>
        {health.problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}
