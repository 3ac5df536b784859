/**
 * Cancellation helpers. A caller's AbortSignal must end a call at once, whether it is waiting
 * on the network or sleeping between retries, and it must surface as an AbortError (never as
 * a provider error a caller might retry).
 */

/** The signal's own reason, or a standard DOMException named "AbortError". */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * Runs an (injected) sleep but rejects as soon as `signal` aborts, even if that sleep ignores
 * the signal, so an abort during backoff returns promptly whatever sleep is plugged in.
 */
export function abortableSleep(sleep: Sleep, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    sleep(ms, signal).then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(signal.aborted ? abortReason(signal) : err);
      },
    );
  });
}
