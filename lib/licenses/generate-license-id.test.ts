import { describe, expect, it } from "vitest";
import { generateLicenseId, LICENSE_ID_PATTERN } from "@/lib/licenses/generate-license-id";

describe("generateLicenseId", () => {
  it("is 27 base62 characters and unique", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = generateLicenseId();
      expect(id).toMatch(LICENSE_ID_PATTERN);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
  });

  it("uses every base62 character with roughly equal frequency", () => {
    const counts = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < 4000; i++) {
      for (const c of generateLicenseId()) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
        total++;
      }
    }
    expect(counts.size).toBe(62);
    const expected = total / 62;
    for (const n of counts.values()) {
      expect(Math.abs(n - expected) / expected).toBeLessThan(0.15);
    }
  });
});
