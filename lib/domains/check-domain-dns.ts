import type { DomainResolver } from "@/lib/domains/dns-resolver";

// One DNS check of a custom domain: does the challenge TXT record hold the
// token (ownership), and does the name CNAME to the proxy (reachability, a
// warning only: an apex name can use A records instead).

export const CHALLENGE_PREFIX = "_pullgate-challenge";

export function challengeRecordName(hostname: string): string {
  return `${CHALLENGE_PREFIX}.${hostname}`;
}

export type DomainDnsCheck = {
  tokenFound: boolean;
  /** Why ownership is not proven (null when tokenFound). */
  reason: string | null;
  cnameWarning: string | null;
};

const NO_RECORD = new Set(["ENOTFOUND", "ENODATA", "NOTFOUND", "NODATA"]);

function errorCode(err: unknown): string {
  return (err as { code?: string } | null)?.code ?? "unknown error";
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

export async function checkDomainDns(resolver: DomainResolver, hostname: string, token: string, cnameTarget: string): Promise<DomainDnsCheck> {
  const recordName = challengeRecordName(hostname);
  const [txt, cname] = await Promise.allSettled([resolver.resolveTxt(recordName), resolver.resolveCname(hostname)]);

  let tokenFound = false;
  let reason: string | null = null;
  if (txt.status === "fulfilled") {
    // A TXT record may be split into several strings; they form one value.
    tokenFound = txt.value.some((chunks) => chunks.join("").includes(token));
    if (!tokenFound) {
      reason = txt.value.length
        ? `The TXT record ${recordName} exists but does not contain this domain's verification token.`
        : `No TXT record found at ${recordName}.`;
    }
  } else if (NO_RECORD.has(errorCode(txt.reason))) {
    reason = `No TXT record found at ${recordName}.`;
  } else {
    reason = `The DNS lookup of ${recordName} failed (${errorCode(txt.reason)}); it will be retried.`;
  }

  let cnameWarning: string | null = null;
  const target = normalizeName(cnameTarget);
  if (cname.status === "fulfilled") {
    const found = cname.value.map(normalizeName);
    if (!found.includes(target)) {
      cnameWarning = `${hostname} is a CNAME for ${found.join(", ") || "nothing"}, not for ${target}: customers will not reach the proxy through it.`;
    }
  } else if (NO_RECORD.has(errorCode(cname.reason))) {
    cnameWarning = `${hostname} has no CNAME record: point it at ${target} (or give it the proxy's addresses) so customers reach the proxy.`;
  } else {
    cnameWarning = `The CNAME lookup of ${hostname} failed (${errorCode(cname.reason)}).`;
  }
  return { tokenFound, reason, cnameWarning };
}
