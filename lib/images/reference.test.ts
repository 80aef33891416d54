import { describe, expect, it } from "vitest";
import { ImageReferenceError, parseImageReference } from "./reference";
import { splitUpstream } from "./upstream-segments";

// The one parser of image references typed by vendors and customers: every
// refusal names what is wrong, and Docker Hub's spellings come out as one.

const D = `sha256:${"c".repeat(64)}`;

function refusal(input: string): string {
  try {
    parseImageReference(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ImageReferenceError);
    return (err as Error).message;
  }
  throw new Error(`${input} was accepted`);
}

describe("parseImageReference", () => {
  it("reads registry, path, tag and digest", () => {
    expect(parseImageReference("  ghcr.io/acme/api:1.2.0 ")).toEqual({ registry: "ghcr.io", path: "acme/api", tag: "1.2.0", digest: null });
    expect(parseImageReference(`GHCR.io/acme/api@${D}`)).toEqual({ registry: "ghcr.io", path: "acme/api", tag: null, digest: D });
    expect(parseImageReference(`localhost:5000/api:2@${D}`)).toEqual({ registry: "localhost:5000", path: "api", tag: "2", digest: D });
    expect(parseImageReference("nginx")).toEqual({ registry: "docker.io", path: "library/nginx", tag: null, digest: null });
    expect(parseImageReference("index.docker.io/nginx:1")).toEqual({ registry: "docker.io", path: "library/nginx", tag: "1", digest: null });
    expect(parseImageReference("acme/api")).toEqual({ registry: "docker.io", path: "acme/api", tag: null, digest: null });
    // A single segment that looks like a host is still a Docker Hub name.
    expect(parseImageReference("my.image")).toEqual({ registry: "docker.io", path: "library/my.image", tag: null, digest: null });
  });

  it("names what is wrong", () => {
    expect(refusal("   ")).toBe("Enter an image reference such as ghcr.io/acme/api:1.2.0.");
    expect(refusal("ghcr.io/acme/api :1")).toBe("An image reference has no spaces.");
    expect(refusal("acme/api@sha256:abc")).toBe('"sha256:abc" is not a valid digest (expected e.g. sha256:<64 hex>).');
    expect(refusal("@" + D)).toBe("Image names use lowercase letters, digits and . _ - separators between slashes.");
    expect(refusal("acme/api:-x")).toBe('"-x" is not a valid tag.');
    expect(refusal("ghcr.io/Acme/api")).toBe("Image names use lowercase letters, digits and . _ - separators between slashes.");
    expect(refusal("ghcr.io//api")).toBe("Image names use lowercase letters, digits and . _ - separators between slashes.");
  });

  it("takes digests of 40 characters or more only", () => {
    const d40 = `sha256:${"a".repeat(33)}`;
    expect(d40).toHaveLength(40);
    expect(parseImageReference(`acme/api@${d40}`).digest).toBe(d40);
    expect(refusal(`acme/api@${d40.slice(0, -1)}`)).toMatch(/is not a valid digest/);
  });
});

describe("splitUpstream", () => {
  it("has nothing to split without segments", () => {
    expect(splitUpstream([], () => false)).toBeNull();
    expect(splitUpstream([""], () => false)).toBeNull();
  });
});
