import type { HostView } from '../../shared/contract';

const LABEL: Record<HostView['status'], string> = {
  connected: 'connected',
  unreachable: 'unreachable',
  preparing: 'preparing host',
  unknown: 'not checked yet',
  disabled: 'disabled',
};

export function StatusDot({ status }: { status: HostView['status'] }) {
  return <span className={`dot dot-${status}`} role="img" aria-label={LABEL[status]} title={LABEL[status]} />;
}

export function statusLabel(status: HostView['status']): string {
  return LABEL[status];
}
