import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { asApiError } from '../api/error';
import { Alert } from './feedback';

/**
 * A modal panel: Escape or a click outside closes it, and focus goes back to what opened it.
 * `children` is the content below the title.
 */
export function Dialog({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const titleId = useId();
  // A ref, so that a caller's new onClose on every render does not re-run the effect
  // (whose clean-up would move focus back to the opener).
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, []);

  return (
    <div className="modal" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`modal__panel card${wide ? ' modal__panel--wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/**
 * Asks before doing something that cannot be undone. `onConfirm` does it; if it fails, its
 * error shows in the dialog and the dialog stays open. On success the caller closes the dialog.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  pendingLabel,
  danger,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(asApiError(err).message);
      setPending(false);
    }
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <div className="dialog__body">
        {error && <Alert>{error}</Alert>}
        <div className="muted">{children}</div>
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className={`btn ${danger ? 'btn--danger' : 'btn--primary'}`}
            onClick={() => void confirm()}
            disabled={pending}
          >
            {pending ? pendingLabel : confirmLabel}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
