// Short messages in a corner: results of actions and notifications as they arrive.
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from "react";

export type Tone = "info" | "success" | "warning" | "error";

interface Toast {
  id: number;
  tone: Tone;
  title: string;
  body?: string;
}

const ToastContext = createContext<(tone: Tone, title: string, body?: string) => void>(() => {});

export function useToast() {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const close = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (tone: Tone, title: string, body?: string) => {
      const id = next.current++;
      setToasts((all) => [...all.slice(-4), body === undefined ? { id, tone, title } : { id, tone, title, body }]);
      setTimeout(() => close(id), tone === "error" ? 10_000 : 6_000);
    },
    [close],
  );
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.tone}`}>
            <div>
              <strong>{t.title}</strong>
              {t.body && <p>{t.body}</p>}
            </div>
            <button type="button" className="ghost" aria-label="Close" onClick={() => close(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
