import { describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { TOTP } from "otpauth";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { authorizeCredentials } from "@/lib/auth/authorize-credentials";
import { IncorrectSecondFactor, SecondFactorRequired, SignInChallengeExpired } from "@/lib/auth/sign-in-errors";
import { confirmTwoFactorEnrolment, startTwoFactorEnrolment, WRONG_ENROLMENT_CODE } from "@/lib/two-factor/enrol-two-factor";
import { disableTwoFactor } from "@/lib/two-factor/disable-two-factor";
import { completeSignInChallenge, MAX_CHALLENGE_FAILURES } from "@/lib/two-factor/sign-in-challenge";
import { hashRecoveryCode } from "@/lib/two-factor/recovery-codes";
import { setTeamTwoFactor } from "@/lib/teams/set-team-two-factor";
import { loadSessionContext } from "@/lib/auth/load-session-context";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";

// TOTP secrets are encrypted with the master key, as registry secrets are.
process.env.PULLGATE_SECRET_KEY ??= randomBytes(32).toString("base64");

let octet = 0;
const ip = () => `203.0.113.${++octet % 250}`;
const PASSWORD = "correct-horse-battery";

async function vendor() {
  const email = `totp-${randomUUID().slice(0, 8)}@example.com`;
  const { user, team } = await createVendor({ email, password: PASSWORD, teamName: "TOTP" });
  const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: email };
  return { user, team, email, actor };
}

/** Enrols as the test would in a browser: reads the secret, computes a code with the same library. */
async function enrol(userId: string) {
  const { secret, otpauthUri, qrDataUrl } = await startTwoFactorEnrolment(userId);
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Pullgate:/);
  expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
  const generator = new TOTP({ secret, algorithm: "SHA1", digits: 6, period: 30 });
  const { recoveryCodes } = await confirmTwoFactorEnrolment(userId, { code: generator.generate() }, ip());
  return { secret, generator, recoveryCodes };
}

async function challengeFor(email: string): Promise<string> {
  const err = await authorizeCredentials({ email, password: PASSWORD }, ip()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SecondFactorRequired);
  return (err as SecondFactorRequired).challenge;
}

describe("two-factor sign-in", () => {
  it("enrolment stores the secret encrypted and the recovery codes hashed; a wrong code does not enrol", async () => {
    const v = await vendor();
    const { secret } = await startTwoFactorEnrolment(v.user.id);
    await expect(confirmTwoFactorEnrolment(v.user.id, { code: "000000" }, ip())).rejects.toThrow(WRONG_ENROLMENT_CODE);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: v.user.id } })).totpEnabledAt).toBeNull();
    const code = new TOTP({ secret }).generate();
    const { recoveryCodes } = await confirmTwoFactorEnrolment(v.user.id, { code }, ip());
    expect(recoveryCodes).toHaveLength(10);
    const row = await prisma.user.findUniqueOrThrow({ where: { id: v.user.id }, include: { recoveryCodes: true } });
    expect(row.totpEnabledAt).not.toBeNull();
    expect(row.totpSecretCiphertext).not.toContain(secret);
    expect(row.recoveryCodes.map((r) => r.codeHash).sort()).toEqual(recoveryCodes.map(hashRecoveryCode).sort());
    expect(JSON.stringify(row)).not.toContain(recoveryCodes[0]!);
    const { events } = await listAuditEvents(v.actor, { targetType: "user" });
    expect(events[0]).toMatchObject({ action: "user.two_factor_enable" });
  });

  it("the password alone issues no session; the challenge plus a code does, and a code works once", async () => {
    const v = await vendor();
    const { generator } = await enrol(v.user.id);
    const challenge = await challengeFor(v.email);
    await expect(completeSignInChallenge(challenge, "123", ip())).rejects.toBeInstanceOf(IncorrectSecondFactor);
    // The code of the enrolment's time step was used up by the enrolment: the next step's code works.
    const next = generator.generate({ timestamp: Date.now() + 30_000 });
    await expect(completeSignInChallenge(challenge, next, ip())).resolves.toMatchObject({ id: v.user.id });
    // The challenge is gone, and the same code cannot start another sign-in.
    await expect(completeSignInChallenge(challenge, next, ip())).rejects.toBeInstanceOf(SignInChallengeExpired);
    await expect(completeSignInChallenge(await challengeFor(v.email), next, ip())).rejects.toBeInstanceOf(IncorrectSecondFactor);
    // A made-up challenge is refused before any code is checked.
    await expect(completeSignInChallenge("x".repeat(43), next, ip())).rejects.toBeInstanceOf(SignInChallengeExpired);
  });

  it("a recovery code works once, in any case and without the dash", async () => {
    const v = await vendor();
    const { recoveryCodes } = await enrol(v.user.id);
    const code = recoveryCodes[3]!;
    await expect(completeSignInChallenge(await challengeFor(v.email), code.toUpperCase().replace("-", ""), ip())).resolves.toMatchObject({ id: v.user.id });
    await expect(completeSignInChallenge(await challengeFor(v.email), code, ip())).rejects.toBeInstanceOf(IncorrectSecondFactor);
    await expect(completeSignInChallenge(await challengeFor(v.email), recoveryCodes[4]!, ip())).resolves.toMatchObject({ id: v.user.id });
  });

  it("a challenge dies after too many wrong codes", async () => {
    const v = await vendor();
    await enrol(v.user.id);
    const challenge = await challengeFor(v.email);
    for (let i = 1; i < MAX_CHALLENGE_FAILURES; i++) await expect(completeSignInChallenge(challenge, "000000", ip())).rejects.toBeInstanceOf(IncorrectSecondFactor);
    await expect(completeSignInChallenge(challenge, "000000", ip())).rejects.toBeInstanceOf(SignInChallengeExpired);
    expect(await prisma.signInChallenge.count({ where: { userId: v.user.id } })).toBe(0);
  });

  it("owners require it for the team: members without it are flagged; it cannot be turned off while required", async () => {
    const v = await vendor();
    await expect(setTeamTwoFactor({ ...v.actor, role: "admin" }, { requireTwoFactor: true })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(setTeamTwoFactor(v.actor, { requireTwoFactor: "yes" } as never)).rejects.toBeInstanceOf(ValidationError);
    await setTeamTwoFactor(v.actor, { requireTwoFactor: true });
    expect((await loadSessionContext(v.user.id, v.team.id))!.twoFactorMissing).toBe(true);
    const { recoveryCodes } = await enrol(v.user.id);
    expect((await loadSessionContext(v.user.id, v.team.id))!.twoFactorMissing).toBe(false);
    await expect(disableTwoFactor(v.user.id, { code: recoveryCodes[0]! }, ip())).rejects.toBeInstanceOf(ConflictError);
    await setTeamTwoFactor(v.actor, { requireTwoFactor: false });
    await expect(disableTwoFactor(v.user.id, { code: "bogus-code" }, ip())).rejects.toBeInstanceOf(ValidationError);
    await disableTwoFactor(v.user.id, { code: recoveryCodes[0]! }, ip());
    await expect(authorizeCredentials({ email: v.email, password: PASSWORD }, ip())).resolves.toMatchObject({ id: v.user.id });
    const { events } = await listAuditEvents(v.actor, {});
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(["team.require_two_factor", "user.two_factor_enable", "user.two_factor_disable"]),
    );
  });
});

describe("key rotation", () => {
  it("re-seals two-factor and SSO secrets with the new key, and they still work", async () => {
    const { loadKeyring } = await import("@/lib/secrets/crypto");
    const { reencryptAccountSecrets } = await import("@/lib/secrets/reencrypt-account-secrets");
    const v = await vendor();
    const { generator } = await enrol(v.user.id);
    const oldKey = process.env.PULLGATE_SECRET_KEY!;
    const newKey = randomBytes(32).toString("base64");
    const rotated = loadKeyring({ PULLGATE_SECRET_KEY: newKey, PULLGATE_SECRET_KEY_PREVIOUS: oldKey });
    const before = (await prisma.user.findUniqueOrThrow({ where: { id: v.user.id } })).totpSecretCiphertext;
    const result = await reencryptAccountSecrets(prisma, rotated);
    expect(result.undecryptable).toEqual([]);
    expect(result.reencrypted).toBeGreaterThanOrEqual(1);
    const after = (await prisma.user.findUniqueOrThrow({ where: { id: v.user.id } })).totpSecretCiphertext!;
    expect(after).not.toBe(before);
    process.env.PULLGATE_SECRET_KEY = newKey;
    try {
      await expect(completeSignInChallenge(await challengeFor(v.email), generator.generate({ timestamp: Date.now() + 30_000 }), ip())).resolves.toMatchObject({ id: v.user.id });
    } finally {
      process.env.PULLGATE_SECRET_KEY = oldKey;
    }
  });
});
