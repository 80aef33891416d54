import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { loadSessionContext } from "@/lib/auth/load-session-context";

const uniqueEmail = () => `session-${randomUUID().slice(0, 8)}@example.com`;

describe("loadSessionContext", () => {
  it("uses the wanted team only when the user is a member of it", async () => {
    const { user, team: own } = await createVendor({ email: uniqueEmail(), password: "s3cret-pass", teamName: "Own" });
    const { team: other } = await createVendor({ email: uniqueEmail(), password: "s3cret-pass", teamName: "Other" });
    const { team: stranger } = await createVendor({ email: uniqueEmail(), password: "s3cret-pass", teamName: "Stranger" });
    await prisma.membership.create({ data: { userId: user.id, teamId: other.id, role: "member" } });

    const byDefault = await loadSessionContext(user.id, undefined);
    expect(byDefault?.actor).toEqual({ teamId: own.id, userId: user.id, tokenId: null, role: "owner", label: user.email });
    expect(byDefault?.teams.map((t) => [t.name, t.role, t.current])).toEqual([
      ["Own", "owner", true],
      ["Other", "member", false],
    ]);

    const switched = await loadSessionContext(user.id, other.id);
    expect(switched?.actor).toMatchObject({ teamId: other.id, role: "member" });
    expect(switched?.teams.find((t) => t.current)?.id).toBe(other.id);

    // A cookie naming someone else's team is ignored: back to the first membership.
    const forged = await loadSessionContext(user.id, stranger.id);
    expect(forged?.actor.teamId).toBe(own.id);
    expect(forged?.teams.map((t) => t.id)).not.toContain(stranger.id);
  });

  it("is null for a user without teams or a user that no longer exists", async () => {
    const { user, team } = await createVendor({ email: uniqueEmail(), password: "s3cret-pass", teamName: "Gone" });
    await prisma.membership.deleteMany({ where: { userId: user.id, teamId: team.id } });
    expect(await loadSessionContext(user.id, team.id)).toBeNull();
    expect(await loadSessionContext("no-such-user", undefined)).toBeNull();
  });
});
