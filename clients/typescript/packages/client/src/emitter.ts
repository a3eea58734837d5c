type Listener<A> = (arg: A) => void;

/**
 * A small typed event emitter. Listeners run synchronously in the order they were added; a
 * listener that throws does not stop the others (the error is rethrown asynchronously).
 */
export class Emitter<Events extends object> {
  private _listeners: { [K in keyof Events]?: Set<Listener<Events[K]>> } = {};

  /** Adds a listener and returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    (this._listeners[event] ??= new Set()).add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this._listeners[event]?.delete(listener);
  }

  /** Adds a listener that is removed after its first call. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (arg) => {
      off();
      listener(arg);
    });
    return off;
  }

  protected emit<K extends keyof Events>(event: K, arg: Events[K]): void {
    const set = this._listeners[event];
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(arg);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
  }
}
