import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { authorizeCredentials } from "@/lib/auth/authorize-credentials";
import { IncorrectCredentials, TooManySignInAttempts, signInErrorMessage } from "@/lib/auth/sign-in-errors";
import {
  ACCOUNT_ADDRESS_POLICY,
  ADDRESS_POLICY,
  FORGET_AFTER_MS,
  accountAddressThrottleKey,
  addressThrottleKey,
  beginSignInAttempt,
  delayAfterFailures,
  signInSucceeded,
  signInThrottleKeys,
  throttledMessage,
} from "@/lib/auth/throttle";
import { addressGroup, normalizeAddress, resolveClientAddress } from "@/lib/http/client-address";

const uniqueEmail = () => `throttle-${randomUUID().slice(0, 8)}@example.com`;
let lastOctet = 0;
/** Documentation ranges, a fresh address per call so tests never share an address key. */
const uniqueIp = () => `198.51.${Math.floor(++lastOctet / 250) % 250}.${lastOctet % 250}`;
const uniqueIpv6Prefix = () => `2001:db8:${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`;
const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

/** Failed attempts as the sign-in would make them, at `now`: asked for, then never taken back. */
async function fail(keys: ReturnType<typeof signInThrottleKeys>, now: Date) {
  return beginSignInAttempt(keys, now);
}

describe("sign-in throttle rule", () => {
  it("is free for a few failures, then doubles the wait, capped", () => {
    const free = ACCOUNT_ADDRESS_POLICY.freeFailures;
    expect(delayAfterFailures(free - 1, ACCOUNT_ADDRESS_POLICY)).toBe(0);
    expect(delayAfterFailures(free, ACCOUNT_ADDRESS_POLICY)).toBe(1_000);
    expect(delayAfterFailures(free + 1, ACCOUNT_ADDRESS_POLICY)).toBe(2_000);
    expect(delayAfterFailures(free + 4, ACCOUNT_ADDRESS_POLICY)).toBe(16_000);
    expect(delayAfterFailures(free + 40, ACCOUNT_ADDRESS_POLICY)).toBe(ACCOUNT_ADDRESS_POLICY.maxDelayMs);
    expect(ADDRESS_POLICY.freeFailures).toBeGreaterThan(ACCOUNT_ADDRESS_POLICY.freeFailures);
    expect(throttledMessage(7_500)).toBe("Too many failed sign-in attempts. Try again in 8 seconds.");
    expect(throttledMessage(61_000)).toBe("Too many failed sign-in attempts. Try again in 2 minutes.");
  });

  it("(account, address): after the free failures an early attempt is refused unchecked and uncounted; waiting lets the next one through", async () => {
    const keys = signInThrottleKeys(uniqueEmail(), uniqueIp());
    const start = new Date();
    for (let i = 0; i < ACCOUNT_ADDRESS_POLICY.freeFailures; i++) expect(await fail(keys, at(start, i))).toEqual({ allowed: true });
    const last = at(start, ACCOUNT_ADDRESS_POLICY.freeFailures - 1);
    // The 5th failure asks for a 1 s wait.
    expect(await fail(keys, at(last, 500))).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(await fail(keys, at(last, 999))).toEqual({ allowed: false, retryAfterMs: 1 });
    const row = await prisma.authThrottle.findUniqueOrThrow({ where: { key: keys[0]!.key } });
    expect(row.failures).toBe(ACCOUNT_ADDRESS_POLICY.freeFailures);
    // After the wait: allowed, and the next wait is twice as long.
    expect(await fail(keys, at(last, 1_000))).toEqual({ allowed: true });
    expect(await fail(keys, at(last, 2_500))).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(await fail(keys, at(last, 3_000))).toEqual({ allowed: true });
  });

  it("parallel guesses cannot slip through together: each attempt is counted before the password is checked", async () => {
    const keys = signInThrottleKeys(uniqueEmail(), uniqueIp());
    const now = new Date();
    const decisions = await Promise.all(Array.from({ length: 15 }, () => beginSignInAttempt(keys, now)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(ACCOUNT_ADDRESS_POLICY.freeFailures);
  });

  it("forgets failures an hour after the last one", async () => {
    const keys = signInThrottleKeys(uniqueEmail(), uniqueIp());
    const start = new Date();
    for (let i = 0; i < 12; i++) await fail(keys, start);
    expect((await fail(keys, at(start, 1))).allowed).toBe(false);
    expect(await fail(keys, at(start, FORGET_AFTER_MS + 1))).toEqual({ allowed: true });
    expect((await prisma.authThrottle.findUniqueOrThrow({ where: { key: keys[0]!.key } })).failures).toBe(1);
  });

  it("an address is limited across accounts: rotating the email does not get around it", async () => {
    const ip = uniqueIp();
    const now = new Date();
    for (let i = 0; i < ADDRESS_POLICY.freeFailures; i++) expect((await fail(signInThrottleKeys(uniqueEmail(), ip), now)).allowed).toBe(true);
    expect((await fail(signInThrottleKeys(uniqueEmail(), ip), now)).allowed).toBe(false);
    // Another address is not affected.
    expect((await fail(signInThrottleKeys(uniqueEmail(), uniqueIp()), now)).allowed).toBe(true);
  });

  it("groups IPv6 by /64: rotating addresses inside one's own /64 does not get around the limit", async () => {
    const prefix = uniqueIpv6Prefix();
    const now = new Date();
    for (let i = 0; i < ADDRESS_POLICY.freeFailures; i++) {
      expect((await fail(signInThrottleKeys(uniqueEmail(), `${prefix}::${(i + 1).toString(16)}`), now)).allowed).toBe(true);
    }
    expect((await fail(signInThrottleKeys(uniqueEmail(), `${prefix}:0:0:0:ffff`), now)).allowed).toBe(false);
    expect(addressThrottleKey(`${prefix}::1`).key).toBe(addressThrottleKey(`${prefix}:0:0:abcd:1`).key);
    expect(addressThrottleKey("2001:db8:1:2::1").key).not.toBe(addressThrottleKey("2001:db8:1:3::1").key);
    expect(accountAddressThrottleKey("A@Example.com", "2001:db8:1:2::9").key).toBe("acct-addr:a@example.com|2001:db8:1:2::/64");
  });

  it("a success clears the (account, address) key and takes back only its own count from the address", async () => {
    const ip = uniqueIp();
    const keys = signInThrottleKeys(uniqueEmail(), ip);
    const now = new Date();
    for (let i = 0; i < 3; i++) await fail(keys, now);
    await fail(keys, now); // the attempt that turns out right
    await signInSucceeded(keys);
    expect(await prisma.authThrottle.findUnique({ where: { key: keys[0]!.key } })).toBeNull();
    expect((await prisma.authThrottle.findUniqueOrThrow({ where: { key: keys[1]!.key } })).failures).toBe(3);
  });
});

describe("authorizeCredentials", () => {
  it("accepts the right password and never says whether an email exists", async () => {
    const email = uniqueEmail();
    const ip = uniqueIp();
    const { user } = await createVendor({ email, password: "right-password-1", teamName: "Throttle Co" });

    await expect(authorizeCredentials({ email, password: "right-password-1" }, ip)).resolves.toEqual({ id: user.id, email, name: user.name });

    const wrong = await authorizeCredentials({ email, password: "wrong-password" }, ip).catch((e: unknown) => e);
    const unknown = await authorizeCredentials({ email: uniqueEmail(), password: "whatever" }, ip).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(IncorrectCredentials);
    expect(unknown).toBeInstanceOf(IncorrectCredentials);
    expect(signInErrorMessage(wrong)).toBe("Incorrect email or password.");
    expect(signInErrorMessage(unknown)).toBe("Incorrect email or password.");
    expect((await prisma.authThrottle.findUniqueOrThrow({ where: { key: `acct-addr:${email}|${ip}` } })).failures).toBe(1);
    expect((await prisma.authThrottle.findUniqueOrThrow({ where: { key: `addr:${ip}` } })).failures).toBe(2);
  });

  it("a stranger's failures from elsewhere never lock the owner out of their account", async () => {
    const email = uniqueEmail();
    await createVendor({ email, password: "owner-password-1", teamName: "Owner Co" });
    const stranger = uniqueIp();
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const error = await authorizeCredentials({ email, password: `guess-${i}-xxxx` }, stranger).catch((e: unknown) => e);
      if (error instanceof TooManySignInAttempts) refused++;
    }
    // The stranger is slowed down…
    expect(refused).toBeGreaterThan(30);
    // …the owner, from their own address, is not.
    await expect(authorizeCredentials({ email, password: "owner-password-1" }, uniqueIp())).resolves.toMatchObject({ email });
  });

  it("an attempt while the address must wait is refused with how long to wait, even with the right password", async () => {
    const email = uniqueEmail();
    await createVendor({ email, password: "right-password-1", teamName: "Wait Co" });
    const ip = uniqueIp();
    for (let i = 0; i < ACCOUNT_ADDRESS_POLICY.freeFailures; i++) await beginSignInAttempt(signInThrottleKeys(email, ip));
    const error = await authorizeCredentials({ email, password: "right-password-1" }, ip).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManySignInAttempts);
    expect(signInErrorMessage(error)).toMatch(/^Too many failed sign-in attempts\. Try again in \d+ seconds?\.$/);
  });
});

describe("client address", () => {
  it("ignores forwarded headers unless the proxy in front is trusted, and then takes the entry that proxy appended", () => {
    const forwardedFor = "203.0.113.7, 198.51.100.23";
    expect(resolveClientAddress({ socketAddress: "::ffff:127.0.0.1", forwardedFor, trustProxy: false })).toBe("127.0.0.1");
    expect(resolveClientAddress({ socketAddress: "127.0.0.1", forwardedFor, trustProxy: true })).toBe("198.51.100.23");
    expect(resolveClientAddress({ socketAddress: "127.0.0.1", forwardedFor: ["203.0.113.7", "198.51.100.24"], trustProxy: true })).toBe("198.51.100.24");
    // A malformed last entry never promotes an earlier, client-written one.
    expect(resolveClientAddress({ socketAddress: "127.0.0.1", forwardedFor: "203.0.113.7, not-an-ip", trustProxy: true })).toBe("127.0.0.1");
    expect(normalizeAddress("[2001:DB8::1]")).toBe("2001:db8::1");
    expect(addressGroup("2001:db8:a:b:c:d:e:f")).toBe("2001:db8:a:b::/64");
    expect(addressGroup("2001:db8:a:b::f")).toBe("2001:db8:a:b::/64");
    expect(addressGroup("::1")).toBe("::/64");
    expect(addressGroup("192.0.2.1")).toBe("192.0.2.1");
  });
});
