import { create } from 'zustand';
import { Dialog } from './Dialog';
import type { ConfirmQuestion } from './confirm-model';

/**
 * The one in-app question before a destructive action (never window.confirm, which Electron and
 * browser mode render differently and which blocks the event loop). Any view asks with
 * askConfirmation() and awaits the answer; the dialog is mounted once, by JobsOverlays.
 */
interface ConfirmState {
  question?: ConfirmQuestion;
  answer?: (confirmed: boolean) => void;
}

const useConfirm = create<ConfirmState>(() => ({}));

/** Shows the question; resolves true on confirm, false on cancel (Esc, Cancel, ×, backdrop, or another question). */
export function askConfirmation(question: ConfirmQuestion): Promise<boolean> {
  useConfirm.getState().answer?.(false);
  return new Promise((resolve) => useConfirm.setState({ question, answer: resolve }));
}

function settle(confirmed: boolean): void {
  const { answer } = useConfirm.getState();
  useConfirm.setState({ question: undefined, answer: undefined });
  answer?.(confirmed);
}

export function ConfirmDialog() {
  const question = useConfirm((s) => s.question);
  if (!question) return null;
  return (
    <Dialog title={question.title} onClose={() => settle(false)} onEnter={() => settle(true)}>
      <form
        className="confirm-form"
        data-testid="confirm-dialog"
        onSubmit={(e) => {
          // Enter anywhere in the dialog confirms (the confirm button is the form's default).
          e.preventDefault();
          settle(true);
        }}
      >
        <p className="confirm-target" data-testid="confirm-target">
          {question.target}
        </p>
        <p className="confirm-consequence" data-testid="confirm-consequence">
          {question.consequence}
        </p>
        <div className="row-actions">
          <button type="submit" className="danger" autoFocus data-testid="confirm-ok">
            {question.confirmLabel}
          </button>
          <button type="button" onClick={() => settle(false)} data-testid="confirm-cancel">
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
