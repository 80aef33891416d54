import { decidePull, type PullApp, type PullLicense, type PullRegistry } from "@/lib/licenses/decide-pull";

// Which catalog images a license may pull: each image's proxy path goes
// through decidePull, the function the proxy decides every request with, so
// the portal's "may pull" list and the pattern editor's preview show exactly
// what the proxy serves. Pure: the customer form runs it in the browser.

export type CatalogImageRef = {
  registryId: string;
  /** How image paths name the registry: its alias, or its host. */
  segment: string;
  /** The repository on the registry, e.g. acme/api. */
  repository: string;
};

export type CoverageInput = {
  app: PullApp;
  /** Every registry of the app's team, as the proxy loads them. */
  registries: readonly PullRegistry[];
  license: PullLicense;
  now?: Date;
};

/** True when the proxy would serve this image to this license now. */
export function licenseMayPull(input: CoverageInput, image: CatalogImageRef): boolean {
  const decision = decidePull({
    license: input.license,
    app: input.app,
    registries: input.registries,
    segments: [image.segment, ...image.repository.split("/")],
    now: input.now,
  });
  // The path must lead back to the registry the image was listed for.
  return decision.ok && decision.registry.id === image.registryId;
}

export function coveredImages<T extends CatalogImageRef>(input: CoverageInput, images: readonly T[]): T[] {
  return images.filter((image) => licenseMayPull(input, image));
}
