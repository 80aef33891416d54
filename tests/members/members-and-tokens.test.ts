import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { inviteAndAccept, withTemporaryMailbox } from "../helpers/invite";
import { listMembers } from "@/lib/members/list-members";
import { changeMemberRole } from "@/lib/members/change-member-role";
import { removeMember } from "@/lib/members/remove-member";
import { createInvitation } from "@/lib/invitations/create-invitation";
import { createTeamApiToken } from "@/lib/api-tokens/create-team-api-token";
import { listApiTokens } from "@/lib/api-tokens/list-api-tokens";
import { revokeApiToken } from "@/lib/api-tokens/revoke-api-token";
import { verifyApiToken } from "@/lib/api-tokens/verify-api-token";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";

async function vendor(prefix: string) {
  const email = `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
  const { user, team } = await createVendor({ email, password: "correct-horse-battery", teamName: prefix });
  const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: email };
  return { user, team, email, actor };
}

withTemporaryMailbox();

describe("members", () => {
  let owner: Awaited<ReturnType<typeof vendor>>;
  let other: Awaited<ReturnType<typeof vendor>>;
  beforeAll(async () => {
    owner = await vendor("owner");
    other = await vendor("other");
  });

  it("an invited user joins on accepting; the role changes, they are removed, all audited", async () => {
    const joiner = await vendor("joiner");
    await inviteAndAccept(owner.actor, joiner.user, "member");
    expect((await listMembers(owner.actor)).map((m) => [m.email, m.role])).toEqual([
      [owner.email, "owner"],
      [joiner.email, "member"],
    ]);
    const added = (await listMembers(owner.actor)).find((m) => m.email === joiner.email)!;
    await changeMemberRole(owner.actor, added.membershipId, { role: "admin" });
    expect((await listMembers(owner.actor)).find((m) => m.email === joiner.email)?.role).toBe("admin");
    await removeMember(owner.actor, added.membershipId);
    expect((await listMembers(owner.actor)).map((m) => m.email)).toEqual([owner.email]);

    const { events } = await listAuditEvents(owner.actor, { targetType: "member" });
    expect(events.map((e) => e.action)).toEqual(["member.remove", "member.change_role", "invitation.accept"]);
    expect(events[1]).toMatchObject({ before: { role: "member" }, after: { role: "admin" }, targetName: joiner.email });
  });

  it("members are read-only; admins cannot touch owners; the last owner stays", async () => {
    const m = await vendor("ro");
    await inviteAndAccept(owner.actor, m.user, "member");
    const membership = (await listMembers(owner.actor)).find((x) => x.email === m.email)!;
    const memberActor: Actor = { teamId: owner.team.id, userId: m.user.id, tokenId: null, role: "member", label: m.email };
    const outsider = await vendor("outsider");
    await expect(createInvitation(memberActor, { email: outsider.email, role: "member" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(changeMemberRole(memberActor, membership.membershipId, { role: "admin" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(removeMember(memberActor, membership.membershipId)).rejects.toBeInstanceOf(ForbiddenError);

    const adminActor: Actor = { ...memberActor, role: "admin" };
    await expect(createInvitation(adminActor, { email: outsider.email, role: "owner" })).rejects.toBeInstanceOf(ForbiddenError);
    const ownerMembership = (await listMembers(owner.actor)).find((x) => x.role === "owner")!;
    await expect(removeMember(adminActor, ownerMembership.membershipId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(changeMemberRole(owner.actor, ownerMembership.membershipId, { role: "admin" })).rejects.toBeInstanceOf(ConflictError);
    await expect(removeMember(owner.actor, ownerMembership.membershipId)).rejects.toBeInstanceOf(ConflictError);
  });

  it("another team's memberships are not found and stay unchanged", async () => {
    const theirs = (await listMembers(other.actor))[0]!;
    await expect(changeMemberRole(owner.actor, theirs.membershipId, { role: "member" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeMember(owner.actor, theirs.membershipId)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listMembers(other.actor))[0]).toEqual(theirs);
    expect((await listMembers(owner.actor)).some((m) => m.membershipId === theirs.membershipId)).toBe(false);
  });
});

describe("API tokens management", () => {
  it("creates (shown once, hashed), lists with last use, revokes; audited without the token", async () => {
    const v = await vendor("tokens");
    const { token, apiToken } = await createTeamApiToken(v.actor, { name: "deploy bot" });
    expect(token.startsWith(`${apiToken.prefix}_`)).toBe(true);
    expect(await verifyApiToken(token)).not.toBeNull();
    const listed = await listApiTokens(v.actor);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: apiToken.id, name: "deploy bot", prefix: apiToken.prefix, createdBy: v.email, revokedAt: null });
    expect(listed[0]!.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(token);

    await revokeApiToken(v.actor, apiToken.id);
    expect(await verifyApiToken(token)).toBeNull();
    expect((await listApiTokens(v.actor))[0]!.revokedAt).not.toBeNull();

    const { events } = await listAuditEvents(v.actor, { targetType: "api_token" });
    expect(events.map((e) => e.action)).toEqual(["api_token.revoke", "api_token.create"]);
    const rows = await prisma.auditEvent.findMany({ where: { teamId: v.team.id } });
    const tokenRow = await prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } });
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(tokenRow.tokenHash);
  });

  it("members cannot create or revoke; other teams' tokens are not found", async () => {
    const v = await vendor("tok-ro");
    const other = await vendor("tok-other");
    const { apiToken } = await createTeamApiToken(v.actor, { name: "x" });
    const memberActor: Actor = { ...v.actor, role: "member" };
    await expect(createTeamApiToken(memberActor, { name: "y" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(revokeApiToken(memberActor, apiToken.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(revokeApiToken(other.actor, apiToken.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(createTeamApiToken(v.actor, { name: "" })).rejects.toBeInstanceOf(ValidationError);
    expect(await listApiTokens(other.actor)).toEqual([]);
    expect((await listApiTokens(v.actor))[0]!.revokedAt).toBeNull();
  });
});
