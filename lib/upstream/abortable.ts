// A pending upstream step (a request, a connection) given up on when its
// signal aborts: the caller is answered at once, and whatever the step still
// produces afterwards is disposed of instead of leaking (a response body left
// unread, a socket left open).

/** `promise`, or a rejection with `reason()` as soon as `signal` aborts; a result arriving after that goes to `dispose`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, dispose: (late: T) => void, reason: () => unknown = () => signal?.reason): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(reason());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) dispose(value);
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
