import { describe, expect, it } from "vitest";
import { diffFields, pickFields } from "@/lib/audit/diff-fields";
import { isSecretLikeKey, toAuditJson } from "@/lib/audit/sanitize";

describe("diffFields", () => {
  it("keeps only changed fields, with dates as ISO strings", () => {
    const before: { name: string; email: string; expiresAt: Date | null; patterns: string[] } = { name: "A", email: "a@x.io", expiresAt: new Date("2026-01-01T00:00:00Z"), patterns: ["a/*"] };
    const after = { name: "B", email: "a@x.io", expiresAt: null, patterns: ["a/*"] };
    expect(diffFields(before, after, ["name", "email", "expiresAt", "patterns"])).toEqual({
      before: { name: "A", expiresAt: "2026-01-01T00:00:00.000Z" },
      after: { name: "B", expiresAt: null },
    });
  });

  it("returns null when nothing changed, comparing arrays and objects by value", () => {
    expect(diffFields({ p: ["x"], e: { a: 1 } }, { p: ["x"], e: { a: 1 } }, ["p", "e"])).toBeNull();
    expect(diffFields({ d: new Date(5) }, { d: new Date(5) }, ["d"])).toBeNull();
  });

  it("only looks at the named fields", () => {
    expect(diffFields({ a: 1, b: 1 }, { a: 1, b: 2 }, ["a"])).toBeNull();
  });
});

describe("audit sanitising", () => {
  it.each(["password", "passwordHash", "secret", "secretCiphertext", "token", "tokenHash", "licenseId", "apiKey", "auth", "privateKey"])(
    "%s is secret-like",
    (key) => expect(isSecretLikeKey(key)).toBe(true),
  );
  it.each(["name", "email", "registryAccess", "expiresAt", "prefix", "authType", "revokedAt", "role"])("%s is kept", (key) => {
    expect(isSecretLikeKey(key)).toBe(false);
  });

  it("drops secret-like keys at any depth", () => {
    expect(toAuditJson({ name: "x", password: "p", nested: { secretCiphertext: "c", ok: 1 }, list: [{ token: "t", n: 2 }] })).toEqual({
      name: "x",
      nested: { ok: 1 },
      list: [{ n: 2 }],
    });
    expect(pickFields({ licenseId: "L", name: "n" } as Record<string, unknown>, ["licenseId", "name"])).toEqual({ name: "n" });
  });
});
