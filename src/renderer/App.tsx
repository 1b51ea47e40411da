import { HygieneView } from './features/hygiene/HygieneView';
import { useEffect, useRef } from 'react';
import { DiagnosticsView } from './features/diagnostics/DiagnosticsView';
import { OverviewView } from './features/overview/OverviewView';
import { HostView } from './features/overview/HostView';
import { ClusterView } from './features/inventory/ClusterView';
import { DisconnectedHostsView } from './features/inventory/DisconnectedHostsView';
import { VmDetailView } from './features/inventory/VmDetailView';
import { SettingsView } from './features/settings/SettingsView';
import { CreateVmForm, CreateVmNavButton } from './features/jobs/CreateVmForm'; // jobs: create-VM form + its nav entry
import { JobDetailView, JobsListView, JobsOverlays } from './features/jobs'; // jobs: list, detail, dialogs + palette
import { DiagnosticBanner } from './features/shell/DiagnosticBanner';
import { Header } from './features/shell/Header';
import { Sidebar } from './features/shell/Sidebar';
import { Toasts } from './features/shell/Toasts';
import { useApp } from './stores/app-store';
import { applyTheme, prefersDark } from './theme';
import { viewToHash } from './router';
import { usePageScroll } from './components/scroll-memory';
import { ContextMenu } from './components/ContextMenu';
import { SyncHealthView } from './features/health/SyncHealthView'; // health: sync health page
import { CopyPsDialog } from './features/copy-ps'; // health: Copy as PowerShell dialog

export function App() {
  const theme = useApp((s) => s.settings?.theme);
  const view = useApp((s) => s.view);
  const dark = prefersDark(); // read at each render: a system change shows at the next one
  const main = useRef<HTMLElement>(null);
  usePageScroll(main, viewToHash(view));
  useEffect(() => {
    applyTheme(theme, dark);
  }, [theme, dark]);

  return (
    <div className="app">
      <Header />
      <DiagnosticBanner />
      <div className="body">
        <Sidebar />
        <main className="main" id="main" tabIndex={-1} ref={main} data-testid="main">
          {view.name === 'overview' && <OverviewView />}
          {view.name === 'settings' && <SettingsView />}
          {view.name === 'diagnostics' && <DiagnosticsView />}
          {view.name === 'sync-health' && <SyncHealthView /> /* health */}
          {view.name === 'host' && <HostView id={view.id} />}
          {view.name === 'cluster' && <ClusterView cluster={view.label} />}
          {view.name === 'vm' && <VmDetailView vmKey={view.key} />}
          {view.name === 'disconnected' && <DisconnectedHostsView />}
          {view.name === 'create-vm' && <CreateVmForm /> /* jobs */}
          {view.name === 'jobs' && <JobsListView /> /* jobs */}
          {view.name === 'job' && <JobDetailView key={view.id} id={view.id} /> /* jobs */}
          {view.name === 'hygiene' && <HygieneView /> /* hygiene */}
        </main>
        <CreateVmNavButton /> {/* jobs: navigation entry */}
      </div>
      <Toasts />
      <ContextMenu />
      <JobsOverlays /> {/* jobs: delete dialog, bulk preview, command palette */}
      <CopyPsDialog /> {/* health: Copy as PowerShell */}
    </div>
  );
}
