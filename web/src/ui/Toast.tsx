import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

type Tone = 'info' | 'error';

interface Toast {
  id: number;
  message: string;
  tone: Tone;
}

type Show = (message: string, tone?: Tone) => void;

const ToastContext = createContext<Show | null>(null);

const lifetime: Record<Tone, number> = { info: 2500, error: 7000 };

/**
 * Short-lived messages at the bottom of the screen ("Copied", "Could not move the contact"):
 * for feedback on an action that has no form to show it in.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    setToasts((all) => all.filter((t) => t.id !== id));
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
  }, []);

  const show = useCallback<Show>(
    (message, tone = 'info') => {
      const id = next.current++;
      // The same message again replaces the one showing rather than stacking up.
      setToasts((all) => [...all.filter((t) => t.message !== message).slice(-2), { id, message, tone }]);
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), lifetime[tone]),
      );
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast--${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'}>
            <span>{t.message}</span>
            <button type="button" className="toast__close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

/** Shows a toast; outside a ToastProvider (isolated component tests) it does nothing. */
export function useToast(): Show {
  return useContext(ToastContext) ?? noToast;
}

const noToast: Show = () => {};
