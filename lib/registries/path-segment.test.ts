import { describe, expect, it } from "vitest";
import { isHostPathComponent, registryPathSegment, typedHost } from "@/lib/registries/path-segment";

describe("registryPathSegment", () => {
  it.each([
    [{ name: "acme", endpoint: "127.0.0.1:5000" }, "acme"],
    [{ name: "acme", endpoint: "registry.example.com" }, "acme"],
    [{ name: null, endpoint: "registry.example.com" }, "registry.example.com"],
    [{ name: null, endpoint: "Registry.Example.com" }, "registry.example.com"],
    [{ name: null, endpoint: "localhost" }, "localhost"],
    [{ name: null, endpoint: "10.0.0.5" }, "10.0.0.5"],
    [{ name: null, endpoint: "index.docker.io", provider: "dockerhub" }, "docker.io"],
  ])("%j → %s", (registry, segment) => {
    expect(registryPathSegment(registry)).toEqual({ ok: true, segment });
  });

  it.each(["127.0.0.1:5000", "registry.example.com:443", "[::1]:5000", "[fd00::1]"])("%s without an alias cannot be a path component", (endpoint) => {
    expect(isHostPathComponent(endpoint)).toBe(false);
    const result = registryPathSegment({ name: null, endpoint });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(`${endpoint} cannot appear in an image path`);
  });

  it("says why a dot-less host needs an alias", () => {
    const result = registryPathSegment({ name: null, endpoint: "myregistry" });
    expect(!result.ok && result.problem).toContain("would be read as a Docker Hub namespace");
  });

  it("reads the host out of what a vendor pastes", () => {
    expect(typedHost(" https://Registry.Example.com:5000/v2/ ")).toBe("registry.example.com:5000");
    expect(isHostPathComponent(typedHost("https://registry.example.com/"))).toBe(true);
  });
});
