import type { HostView } from '../../shared/contract';

/**
 * The one map from a state to its colour, shared by every dot and badge: the tree, the VM tables,
 * the VM page and the host lists. A tone is a meaning (fine, idle, attention, in progress,
 * trouble), styled once in styles.css as `.tone-*`.
 */
export type Tone = 'ok' | 'idle' | 'warn' | 'busy' | 'bad' | 'hollow';

const HOST_TONE: Record<HostView['status'], Tone> = { connected: 'ok', unreachable: 'bad', preparing: 'busy', unknown: 'idle', disabled: 'hollow' };

/**
 * A VM state's tone: Running fine; Off and Saved idle (they hold no CPU); Paused needs attention;
 * a transition (Starting, Saving, Creating…) in progress; Unknown or a Critical state is trouble.
 */
export function vmStateTone(state: string): Tone {
  if (state === 'Running') return 'ok';
  if (state === 'Off' || state === 'Saved') return 'idle';
  if (state === 'Paused') return 'warn';
  if (state === 'Unknown' || state.includes('Critical')) return 'bad';
  if (state.endsWith('ing') || state === 'Reset') return 'busy';
  return 'idle';
}

export function hostStatusTone(status: HostView['status']): Tone {
  return HOST_TONE[status];
}

const LABEL: Record<HostView['status'], string> = {
  connected: 'connected',
  unreachable: 'unreachable',
  preparing: 'preparing host',
  unknown: 'not checked yet',
  disabled: 'disabled',
};

export function StatusDot({ status }: { status: HostView['status'] }) {
  return <span className={`dot dot-${status} tone-${HOST_TONE[status]}`} role="img" aria-label={LABEL[status]} title={LABEL[status]} />;
}

/** A VM's state as a dot; `decorative` when the state is written beside it. */
export function VmStateDot({ state, decorative = false }: { state: string; decorative?: boolean }) {
  const tone = vmStateTone(state);
  return decorative ? (
    <span className={`dot tone-${tone}`} aria-hidden="true" data-tone={tone} />
  ) : (
    <span className={`dot tone-${tone}`} role="img" aria-label={state} title={state} data-tone={tone} />
  );
}

export function statusLabel(status: HostView['status']): string {
  return LABEL[status];
}
