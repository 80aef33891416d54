import { describe, expect, it } from "vitest";
import { advisoryLockKey, runExclusively } from "./advisory-lock";

describe("runExclusively", () => {
  it("runs one holder at a time: a second caller skips while the first runs, and runs once it is done", async () => {
    let release!: () => void;
    const first = runExclusively("test-job", () => new Promise<string>((resolve) => (release = () => resolve("first"))));
    await new Promise((r) => setTimeout(r, 200)); // the first holds the lock
    const second = await runExclusively("test-job", async () => "second");
    expect(second).toEqual({ ran: false });
    // Another job name is independent.
    expect(await runExclusively("other-job", async () => "other")).toEqual({ ran: true, result: "other" });
    release();
    expect(await first).toEqual({ ran: true, result: "first" });
    expect(await runExclusively("test-job", async () => "third")).toEqual({ ran: true, result: "third" });
  });

  it("releases the lock when the job throws", async () => {
    await expect(runExclusively("throwing-job", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await runExclusively("throwing-job", async () => 1)).toEqual({ ran: true, result: 1 });
  });

  it("keys are stable 64-bit numbers per name", () => {
    expect(advisoryLockKey("a")).toBe(advisoryLockKey("a"));
    expect(advisoryLockKey("a")).not.toBe(advisoryLockKey("b"));
  });
});
