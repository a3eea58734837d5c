/**
 * The state of one hook, outside React: mutated as events arrive, read by React through
 * `useSyncExternalStore`. Changes are published at most once per animation frame (or task, where
 * there are no frames), so a channel that delivers thousands of publications a second renders
 * once per frame with all of them, instead of once per publication.
 */
export class Store<S> {
  private _snapshot: S;
  private readonly _listeners = new Set<() => void>();
  private _scheduled = false;

  constructor(initial: S) {
    this._snapshot = initial;
  }

  /** For `useSyncExternalStore`. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  };

  /** For `useSyncExternalStore`: the same object until the next published change. */
  readonly get = (): S => this._snapshot;

  /** Replaces the snapshot at the next frame; `next` builds it from the current one then. */
  update(next: (current: S) => S, now = false): void {
    this._pending = this._pending ? ((f) => (s: S) => next(f(s)))(this._pending) : next;
    if (now) return this._flush();
    if (this._scheduled) return;
    this._scheduled = true;
    frame(() => this._flush());
  }

  private _pending: ((s: S) => S) | undefined;

  private _flush(): void {
    this._scheduled = false;
    const pending = this._pending;
    if (!pending) return;
    this._pending = undefined;
    this._snapshot = pending(this._snapshot);
    for (const listener of [...this._listeners]) listener();
  }
}

const frame: (callback: () => void) => void =
  typeof requestAnimationFrame === "function" && typeof document !== "undefined"
    ? (callback) => {
        // A hidden tab gets no frames: a timer makes sure the state still moves.
        let done = false;
        const run = () => {
          if (done) return;
          done = true;
          callback();
        };
        requestAnimationFrame(run);
        setTimeout(run, 100);
      }
    : (callback) => setTimeout(callback, 0);

/** Appends to a bounded list, dropping the oldest beyond `max`. */
export function bounded<T>(list: T[], add: T[], max: number): T[] {
  if (add.length === 0) return list;
  const next = list.length + add.length <= max ? list.concat(add) : list.concat(add).slice(-max);
  return next;
}

/** A stable key for option objects compared by value (filters, info), so inline literals do not resubscribe. */
export function valueKey(value: unknown): string {
  return value === undefined ? "" : JSON.stringify(value, (_k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}
