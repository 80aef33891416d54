import { describe, expect, it } from "vitest";
import { suggestTag } from "@/lib/catalog/suggest-tag";

describe("suggestTag", () => {
  it.each([
    [[], null],
    [["1.0", "latest", "2.0"], "latest"],
    [["1.9.2", "1.10.0", "1.2"], "1.10.0"],
    [["v2.0.0-rc1", "v1.9.0", "v2.0.0"], "v2.0.0"],
    [["2.0.0-alpine", "1.9"], "2.0.0-alpine"],
    [["main", "dev", "feature"], "main"],
  ] as [string[], string | null][])("%j → %s", (tags, expected) => {
    expect(suggestTag(tags)).toBe(expected);
  });
});
