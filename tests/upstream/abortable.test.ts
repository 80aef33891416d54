import { describe, expect, it } from "vitest";
import { abortable } from "@/lib/upstream/abortable";

// A step given up on when its signal aborts: the caller hears at once, and
// what the step still produces is disposed of (a body, a socket), never lost.

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("abortable", () => {
  it("rejects at once with the reason when the signal aborts, and disposes of a result that comes later", async () => {
    const step = deferred<string>();
    const controller = new AbortController();
    const disposed: string[] = [];
    const given = abortable(step.promise, controller.signal, (late) => disposed.push(late), () => new Error("given up"));
    controller.abort();
    await expect(given).rejects.toThrow("given up");
    step.resolve("socket");
    await step.promise;
    expect(disposed).toEqual(["socket"]);
  });

  it("gives the result and disposes of nothing when the signal does not abort; rejects with the signal's reason by default", async () => {
    const disposed: string[] = [];
    const controller = new AbortController();
    await expect(abortable(Promise.resolve("ok"), controller.signal, (late) => disposed.push(late))).resolves.toBe("ok");
    await expect(abortable(Promise.reject(new Error("refused")), controller.signal, (late) => disposed.push(late))).rejects.toThrow("refused");
    const aborted = new AbortController();
    aborted.abort(new Error("the client left"));
    const step = deferred<string>();
    await expect(abortable(step.promise, aborted.signal, (late) => disposed.push(late))).rejects.toThrow("the client left");
    expect(disposed).toEqual([]);
    step.resolve("late");
    await step.promise;
    expect(disposed).toEqual(["late"]);
  });
});
