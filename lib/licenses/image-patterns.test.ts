import { describe, expect, it } from "vitest";
import { imageMatchesPatterns, imagePatternProblem, MAX_IMAGE_PATTERNS, MAX_PATTERN_WILDCARDS } from "@/lib/licenses/image-patterns";

describe("imageMatchesPatterns", () => {
  it("empty list allows everything", () => {
    expect(imageMatchesPatterns("ghcr.io/acme/api", [])).toBe(true);
    expect(imageMatchesPatterns("docker.io/library/nginx", [])).toBe(true);
  });

  it.each([
    ["ghcr.io/acme/api", ["acme/api"], true],
    ["ghcr.io/acme/api", ["ghcr.io/acme/api"], true],
    ["ghcr.io/acme/api", ["acme/web"], false],
    ["ghcr.io/acme/api", ["acme/*"], true],
    ["ghcr.io/acme/api", ["ghcr.io/acme/*"], true],
    ["ghcr.io/acme/team/api", ["acme/*"], false],
    ["ghcr.io/acme/team/api", ["acme/**"], true],
    ["ghcr.io/acme/team/api", ["ghcr.io/**"], true],
    ["ghcr.io/acme/team/api", ["**/api"], true],
    ["ghcr.io/acme/api", ["**/api"], true],
    ["ghcr.io/acme/api", ["**"], true],
    ["ghcr.io/acme/api", ["*"], false],
    ["ghcr.io/acme/api", ["acme/a*"], true],
    ["ghcr.io/acme/api", ["acme/*i"], true],
    ["ghcr.io/acme/api", ["acme/b*"], false],
    ["ghcr.io/acme/api", ["acme"], false],
    ["ghcr.io/acme/api", ["acme/ap"], false],
    ["ghcr.io/acme/api", ["cme/api"], false],
    ["ghcr.io/acme/api", ["quay.io/acme/api"], false],
    ["ghcr.io/acme/api", ["other/x", "acme/api"], true],
    ["docker.io/library/nginx", ["library/nginx"], true],
    ["docker.io/library/nginx", ["docker.io/library/*"], true],
    ["127.0.0.1:5000/acme/api", ["127.0.0.1:5000/acme/*"], true],
    ["127.0.0.1:5000/acme/api", ["acme/api"], true],
    ["ghcr.io/acme/api.v2", ["acme/api.v2"], true],
    ["ghcr.io/acme/apixv2", ["acme/api.v2"], false],
    ["ghcr.io/acme-corp/api", ["acme-corp/*"], true],
    ["ghcr.io/acme/api", ["*/api"], true],
  ])("%s vs %j -> %s", (image, patterns, expected) => {
    expect(imageMatchesPatterns(image, patterns)).toBe(expected);
  });
});

describe("imagePatternProblem", () => {
  it.each(["acme/api", "acme/*", "acme/**", "ghcr.io/acme/*", "127.0.0.1:5000/x", "**/api", "a"])("%s is valid", (p) => {
    expect(imagePatternProblem(p)).toBeNull();
  });
  it.each(["", "Acme/api", "acme api", "/acme", "acme/", "acme//api", "acme/***", "a$b", "x".repeat(256)])("%j is invalid", (p) => {
    expect(imagePatternProblem(p)).not.toBeNull();
  });
});

/** The regular expression the matcher replaced: the reference for `*` and `**` semantics (backtracks, so tiny inputs only). */
function referenceRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        source += "(?:.*/)?";
      } else source += ".*";
    } else if (c === "*") source += "[^/]*";
    else source += c.replace(/[.\-/:]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function referenceMatch(image: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  const slash = image.indexOf("/");
  const rest = slash > 0 ? image.slice(slash + 1) : null;
  return patterns.some((p) => referenceRegExp(p).test(image) || (rest !== null && referenceRegExp(p).test(rest)));
}

describe("imageMatchesPatterns agrees with the regular expressions it replaced", () => {
  // A small deterministic generator, so a failure is reproducible.
  let seed = 12345;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return (seed >>> 16) % n;
  };
  const pick = (alphabet: string[], max: number) => Array.from({ length: 1 + random(max) }, () => alphabet[random(alphabet.length)]).join("");

  it("on 20 000 random names and patterns over a, b, /, * and **", () => {
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const name = pick(["a", "b", "/", "a", "b"], 10).replace(/\/+/g, "/");
      const patterns = Array.from({ length: 1 + random(2) }, () => pick(["a", "b", "/", "*", "**", "**/", "a*", "/**"], 6));
      if (referenceMatch(name, patterns) !== imageMatchesPatterns(name, patterns)) mismatches.push(`${name} vs ${JSON.stringify(patterns)}`);
      if (mismatches.length >= 10) break; // enough to show (and a mutation run moves on sooner)
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

describe("imageMatchesPatterns on literal runs longer than 32 characters (the KMP path)", () => {
  let seed = 777;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return (seed >>> 16) % n;
  };
  const run = (min: number, max: number) => Array.from({ length: min + random(max - min + 1) }, () => (random(4) === 0 ? "b" : "a")).join("");

  it("agrees with the regular expressions on 2 000 names and patterns with a long chunk", () => {
    const mismatches: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      const chunk = run(33, 45);
      // The chunk itself, or a near miss, somewhere in a longer name; sometimes twice, overlapping.
      const name = `x/${run(0, 20)}${random(3) === 0 ? chunk.slice(1) : chunk}${random(2) ? run(0, 10) + chunk.slice(0, 20) + chunk : ""}${run(0, 20)}`;
      const pattern = [`x/**${chunk}**`, `x/*${chunk}*`, `**${chunk}`, `x/**${chunk}**${chunk.slice(0, 34)}**`][random(4)]!;
      if (referenceMatch(name, [pattern]) !== imageMatchesPatterns(name, [pattern])) mismatches.push(`${name} vs ${pattern}`);
      if (mismatches.length >= 10) break;
    }
    expect(mismatches).toEqual([]);
  });

  it("finds a long chunk that repeats its own prefix", () => {
    const chunk = `${"ab".repeat(20)}c`;
    expect(imageMatchesPatterns(`x/${"ab".repeat(25)}c`, [`x/**${chunk}`])).toBe(true);
    expect(imageMatchesPatterns(`x/${"ab".repeat(25)}d`, [`x/**${chunk}**`])).toBe(false);
    expect(imageMatchesPatterns(`x/${"ab".repeat(25)}c/tail`, [`x/**${chunk}/*`])).toBe(true);
  });
});

describe("imagePatternProblem messages", () => {
  it("names each problem", () => {
    expect(imagePatternProblem("")).toBe("Must not be empty.");
    expect(imagePatternProblem("a".repeat(255))).toBeNull();
    expect(imagePatternProblem("a".repeat(256))).toBe("Must be at most 255 characters.");
    expect(imagePatternProblem("Acme")).toBe("Use lowercase letters, digits, . _ - / : and * only.");
    expect(imagePatternProblem("/acme")).toBe("Must not start or end with /.");
    expect(imagePatternProblem("acme/")).toBe("Must not start or end with /.");
    expect(imagePatternProblem("a//b")).toBe("Must not contain an empty path segment (//).");
    expect(imagePatternProblem("a/***")).toBe("Use * (one segment) or ** (any depth), not ***.");
  });
});

describe("adversarial patterns", () => {
  it("match a 255-character name without backtracking (generous bound; the figure comes from npm run bench)", () => {
    const name = `ghcr.io/${"a".repeat(247)}`;
    const patterns = Array.from({ length: MAX_IMAGE_PATTERNS }, (_, i) => `${"**a".repeat(MAX_PATTERN_WILDCARDS)}c${i}`);
    for (const p of patterns) expect(imagePatternProblem(p)).toBeNull();
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(imageMatchesPatterns(name, patterns)).toBe(false);
    // The regular expression took seconds for one such pattern; 20 licenses of 50 here get 2 s.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("refuses more wildcards than the limit in one pattern", () => {
    expect(imagePatternProblem("*a".repeat(MAX_PATTERN_WILDCARDS))).toBeNull();
    expect(imagePatternProblem("*a".repeat(MAX_PATTERN_WILDCARDS + 1))).toMatch(/at most \d+ wildcards/);
    expect(imagePatternProblem(`${"**a".repeat(MAX_PATTERN_WILDCARDS + 1)}c`)).toMatch(/wildcards/);
  });
});
