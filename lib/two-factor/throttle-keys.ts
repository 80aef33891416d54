import { ACCOUNT_ADDRESS_POLICY, addressThrottleKey, type ThrottleKey, type ThrottlePolicy } from "@/lib/auth/throttle";
import { addressGroup } from "@/lib/http/client-address";

// Wrong codes count like wrong passwords (lib/auth/throttle.ts): per (account,
// address) and per address, plus per account alone with a loose bound. That
// last key can only slow someone who already has the account's password: a
// million codes are not tried from a botnet's many addresses.
const ACCOUNT_POLICY: ThrottlePolicy = { freeFailures: 20, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 };

export function twoFactorThrottleKeys(userId: string, address: string): ThrottleKey[] {
  return [
    { key: `2fa-acct-addr:${userId}|${addressGroup(address)}`, policy: ACCOUNT_ADDRESS_POLICY },
    addressThrottleKey(address),
    { key: `2fa-acct:${userId}`, policy: ACCOUNT_POLICY },
  ];
}
