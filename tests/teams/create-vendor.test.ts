import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { verifyPassword } from "@/lib/auth/password";
import { COMMON_PASSWORD_MESSAGE } from "@/lib/auth/password-policy";
import { UNSTORABLE_TEXT_MESSAGE } from "@/lib/validation/storable-text";
import { ConflictError, ValidationError } from "@/lib/errors";

const uniqueEmail = () => `Vendor-${randomUUID().slice(0, 8)}@Example.com`;

describe("createVendor", () => {
  it("creates the user, the team and the owner membership", async () => {
    const email = uniqueEmail();
    const { user, team } = await createVendor({ email: `  ${email} `, password: "s3cret-pass", teamName: "Acme" });
    expect(user.email).toBe(email.toLowerCase());
    expect(user).not.toHaveProperty("passwordHash");
    expect(team.name).toBe("Acme");
    const membership = await prisma.membership.findUniqueOrThrow({
      where: { userId_teamId: { userId: user.id, teamId: team.id } },
    });
    expect(membership.role).toBe("owner");
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(stored.passwordHash, "s3cret-pass")).toBe(true);
  });

  it("refuses an email that is taken, in any case, even when racing", async () => {
    const email = uniqueEmail();
    await createVendor({ email, password: "s3cret-pass", teamName: "One" });
    await expect(createVendor({ email: email.toUpperCase(), password: "another-pass", teamName: "Two" })).rejects.toThrow(
      new ConflictError("An account with this email already exists."),
    );

    const raced = uniqueEmail();
    const results = await Promise.allSettled([
      createVendor({ email: raced, password: "s3cret-pass", teamName: "A" }),
      createVendor({ email: raced, password: "s3cret-pass", teamName: "B" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    expect(await prisma.user.count({ where: { email: raced.toLowerCase() } })).toBe(1);
  });

  it("rejects invalid input with field issues", async () => {
    const err = await createVendor({ email: "nope", password: "short", teamName: "" }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path).sort()).toEqual(["email", "password", "teamName"]);
  });

  it("refuses passwords shorter than 10 characters or on the common-password list, and creates nothing", async () => {
    for (const [password, message] of <[string, string][]>[
      ["12345678", "Password must be at least 10 characters."],
      ["password", "Password must be at least 10 characters."],
      ["1234567890", COMMON_PASSWORD_MESSAGE],
      ["Password123", COMMON_PASSWORD_MESSAGE],
      ["qwertyuiop", COMMON_PASSWORD_MESSAGE],
    ]) {
      const email = `weak-${randomUUID().slice(0, 8)}@example.com`;
      const err = await createVendor({ email, password, teamName: "Weak" }).catch((e: unknown) => e);
      expect(err, password).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues).toEqual([{ path: "password", message }]);
      expect(await prisma.user.count({ where: { email } })).toBe(0);
    }
  });

  it("refuses text Postgres cannot store with a field issue, not a database error", async () => {
    for (const name of ["Ada\u0000", "Ada\ud800"]) {
      const err = await createVendor({ email: `nul-${randomUUID().slice(0, 8)}@example.com`, password: "s3cret-pass", teamName: "T", name }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues).toEqual([{ path: "name", message: UNSTORABLE_TEXT_MESSAGE }]);
    }
  });
});
