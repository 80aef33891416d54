import { describe, expect, it } from "vitest";
import { imageMatchesPatterns, imagePatternProblem } from "@/lib/licenses/image-patterns";

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
