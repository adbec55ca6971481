// abort.ts — one 'abort' listener per AbortSignal, however many runs share it. A code runner cancels a whole
// batch with one AbortController; a listener per run on that one signal would pass EventTarget's limit of 10
// and print MaxListenersExceededWarning at the 11th run. The fan-out is keyed by the signal (a WeakMap: a
// signal nobody holds goes away with its entry), and each run takes itself out as it ends, the last one
// removing the listener: no state outlives the runs that use it.
import { CtrError } from '../runtime/errors.js';

interface Fanout {
  callbacks: Set<() => void>;
  listener: () => void;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/** Calls `callback` once when `signal` aborts; the returned function unsubscribes (idempotent). */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let fanout = fanouts.get(signal);
  if (!fanout) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      fanouts.delete(signal);
      for (const cb of callbacks) cb();
      callbacks.clear();
    };
    fanout = { callbacks, listener };
    fanouts.set(signal, fanout);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = fanout;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    signal.removeEventListener('abort', listener);
    if (fanouts.get(signal)?.callbacks === callbacks) fanouts.delete(signal);
  };
}

/** The error of a run aborted before its command started: named AbortError, as Node's own APIs name it. */
export function abortError(signal: AbortSignal): CtrError {
  const error = new CtrError('the run was aborted before its command started', { code: 'ABORT_ERR', cause: signal.reason });
  Object.defineProperty(error, 'name', { value: 'AbortError', enumerable: false });
  return error;
}
