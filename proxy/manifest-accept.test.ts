import { describe, expect, it } from "vitest";
import { manifestAccept } from "./manifest-accept";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";

describe("manifestAccept", () => {
  it("gives one answer for the same set of types in any order, case or decoration", () => {
    // Docker iterates a Go map for its Accept list: the order changes between requests.
    const orders = [
      [DOCKER_V2, DOCKER_LIST, OCI_INDEX, OCI_MANIFEST, DOCKER_V1].join(", "),
      [OCI_MANIFEST, DOCKER_V1, OCI_INDEX, DOCKER_LIST, DOCKER_V2].join(","),
      [DOCKER_V1, OCI_INDEX, DOCKER_V2.toUpperCase(), `${OCI_MANIFEST}; q=0.9`, DOCKER_LIST, OCI_INDEX].join(" ,  "),
    ];
    const keys = new Set(orders.map((accept) => manifestAccept(accept)));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toBe([DOCKER_LIST, DOCKER_V1, DOCKER_V2, OCI_INDEX, OCI_MANIFEST].join(", "));
  });

  it("tells different sets apart", () => {
    expect(manifestAccept(OCI_MANIFEST)).not.toBe(manifestAccept(`${OCI_MANIFEST}, ${OCI_INDEX}`));
    expect(manifestAccept(OCI_MANIFEST)).toBe(OCI_MANIFEST);
  });

  it("drops what names no manifest type, and types refused with q=0", () => {
    expect(manifestAccept(`${OCI_MANIFEST}, */*, application/json, ${OCI_INDEX};q=0`)).toBe(OCI_MANIFEST);
    expect(manifestAccept(["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json"])).toBe(`${OCI_INDEX}, ${OCI_MANIFEST}`);
  });

  it("asks for every type passed through when the client names none", () => {
    const all = [DOCKER_LIST, DOCKER_V2, OCI_INDEX, OCI_MANIFEST].join(", ");
    for (const accept of [undefined, "", "*/*", "application/json", `${OCI_INDEX};q=0`]) expect(manifestAccept(accept), String(accept)).toBe(all);
    // The default is itself canonical: a client naming exactly those types shares its cache entry.
    expect(manifestAccept([OCI_MANIFEST, DOCKER_V2, OCI_INDEX, DOCKER_LIST].join(","))).toBe(all);
  });

  it("bounds what it keeps from a huge header", () => {
    const many = Array.from({ length: 500 }, (_, i) => `application/vnd.oci.x${i}+json`).join(",");
    expect(manifestAccept(many).split(", ").length).toBeLessThanOrEqual(32);
  });
});
