import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { REFUSAL_REASONS, startPullFixture, UNKNOWN_LICENSE, type PullFixture } from "./pull-fixture";

/**
 * The client matrix: the same checks for every real client pulling through
 * the running proxy (tests/clients/<client>.test.ts, one file per client so
 * they can run in parallel). A client is described by a driver:
 *
 *   defineClientMatrix("podman", async (f, dir) => ({
 *     login: (licenseId) => …,                  // rejects with the client's own message
 *     pull: (ref, licenseId, platform) => …,    // resolves to the config digest of the image pulled
 *   }));
 *
 * A driver may be null when its daemon truly cannot start here; then every
 * check is skipped with that reason, visibly.
 */

export type ClientDriver = {
  /** `<client> login`; clients without a login (ctr) log in by pulling. */
  login?: (licenseId: string) => Promise<void>;
  /** Pulls `ref` (`<proxy host>/<repository>:tag` or `@digest`); resolves to the pulled image's config digest. */
  pull: (ref: string, licenseId: string, platform?: string) => Promise<string>;
  /** Extra cleanup (daemons). */
  stop?: () => Promise<void>;
};

export type DriverFactory = (fixture: PullFixture, dir: string) => Promise<ClientDriver | { unavailable: string }>;

/** Runs a command; on failure rejects with an Error whose message is the command's own output. */
export function runClient(command: string, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${command} ${args[0]} failed (${err.code ?? err.signal}):\n${stderr}\n${stdout}`));
        else resolve(stdout);
      },
    );
  });
}

const CLIENT_TIMEOUT = 180_000;

/** `hasLogin: false` for clients without a login command (ctr): their pulls carry the credentials, and the pull checks cover the refusal. */
export function defineClientMatrix(client: string, makeDriver: DriverFactory, options: { hasLogin?: boolean } = {}): void {
  let f: PullFixture;
  let driver: ClientDriver | null = null;
  let unavailable: string | null = null;

  beforeAll(async () => {
    const started = performance.now();
    f = await startPullFixture(client);
    const made = await makeDriver(f, f.work);
    if ("unavailable" in made) {
      unavailable = made.unavailable;
      console.warn(`[client matrix] ${client}: SKIPPED, ${unavailable}`);
    } else {
      driver = made;
    }
    console.info(`[client matrix] ${client}: set up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, CLIENT_TIMEOUT);

  afterAll(async () => {
    await driver?.stop?.();
    await f?.stop();
  }, CLIENT_TIMEOUT);

  const use = (ctx: TestContext): ClientDriver => {
    if (!driver) ctx.skip(`${client} cannot run here: ${unavailable}`);
    return driver!;
  };
  const ref = (suffix: string, app?: string) => f.image(suffix, app);

  describe(`${client} pulling through the proxy`, () => {
    it("pulls by tag", async (ctx) => {
      const d = use(ctx);
      expect(await d.pull(ref(":1.0"), f.licenses.active)).toBe(f.single.config.digest);
    }, CLIENT_TIMEOUT);

    it("pulls by digest", async (ctx) => {
      const d = use(ctx);
      expect(await d.pull(ref(`@${f.single.manifest.digest}`), f.licenses.active)).toBe(f.single.config.digest);
    }, CLIENT_TIMEOUT);

    it("pulls one platform of an index", async (ctx) => {
      const d = use(ctx);
      const arm64 = f.multi.images.find((image) => image.manifest.platform?.architecture === "arm64")!;
      expect(await d.pull(ref(":multi"), f.licenses.active, "linux/arm64")).toBe(arm64.config.digest);
    }, CLIENT_TIMEOUT);

    it("tells a wrong license why: an unknown license ID, a license of another app", async (ctx) => {
      const d = use(ctx);
      await expect(d.pull(ref(":1.0"), UNKNOWN_LICENSE)).rejects.toThrow("invalid license ID");
      // Clients quote the message differently (logrus escapes quotes): match the words and the app apart.
      await expect(d.pull(ref(":1.0"), f.licenses.otherApp)).rejects.toThrow(new RegExp(`${REFUSAL_REASONS.otherApp}.{0,4}${f.appSlug}`));
    }, CLIENT_TIMEOUT);

    if (options.hasLogin ?? true) it("refuses login with a revoked license, giving the reason", async (ctx) => {
      const d = use(ctx);
      for (const state of ["expired", "disabled", "archived"] as const) {
        await expect(d.login!(f.licenses[state]), state).rejects.toThrow(REFUSAL_REASONS[state]);
      }
      await d.login!(f.licenses.active);
    }, CLIENT_TIMEOUT);

    it("refuses a pull with a revoked license, giving the reason", async (ctx) => {
      const d = use(ctx);
      for (const state of ["expired", "disabled", "archived"] as const) {
        await expect(d.pull(ref(":1.0"), f.licenses[state]), state).rejects.toThrow(REFUSAL_REASONS[state]);
      }
    }, CLIENT_TIMEOUT);

    it("names the tag that was not found", async (ctx) => {
      const d = use(ctx);
      // The proxy's "manifest for <name>:nope not found", or the client's own wording of the 404 (containerd: "<ref>:nope: not found").
      await expect(d.pull(ref(":nope"), f.licenses.active)).rejects.toThrow(new RegExp(`${escapeRegExp(f.repository)}:nope:? not found`));
    }, CLIENT_TIMEOUT);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export type { PullFixture };
