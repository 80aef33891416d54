import type { Metadata } from "next";
import { InviteMemberForm } from "@/components/members/invite-member-form";
import { RevokeInvitationButton } from "@/components/members/revoke-invitation-button";
import { TeamTwoFactorSwitch } from "@/components/members/team-two-factor-switch";
import { prisma } from "@/lib/db/client";
import { MemberRowActions } from "@/components/members/member-row-actions";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listMembers } from "@/lib/members/list-members";
import { listInvitations } from "@/lib/invitations/list-invitations";
import { formatDate } from "@/lib/utils/format-date";

export const metadata: Metadata = { title: "Members · Pullgate" };

export default async function MembersPage() {
  const actor = await requireSessionActor();
  const [members, invitations, team] = await Promise.all([
    listMembers(actor),
    listInvitations(actor),
    prisma.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { requireTwoFactor: true } }),
  ]);
  const writable = canWrite(actor);

  return (
    <>
      <PageHeader title="Members" description="Who can use this team's portal. Owners and admins make changes; members are read-only." />
      <div className="grid gap-6 [&>*]:min-w-0">
        {writable ? (
          <Card>
            <CardHeader>
              <CardTitle>Invite a member</CardTitle>
              <CardDescription>Invite anyone by email; they join once they accept.</CardDescription>
            </CardHeader>
            <CardContent>
              <InviteMemberForm actorRole={actor.role} />
            </CardContent>
          </Card>
        ) : (
          <ReadOnlyNotice />
        )}
        <Card>
          <CardHeader className="flex flex-row items-start justify-between gap-4">
            <div>
              <CardTitle>Require two-factor sign-in</CardTitle>
              <CardDescription>Members without it are asked to set it up before they can use this team. Only owners change this.</CardDescription>
            </div>
            <TeamTwoFactorSwitch required={team.requireTwoFactor} disabled={actor.role !== "owner"} />
          </CardHeader>
        </Card>
        {invitations.length > 0 ? (
          <Card>
            <CardHeader>
              <CardTitle>Invitations</CardTitle>
              <CardDescription>Sent, not yet answered. A revoked or expired link no longer works.</CardDescription>
            </CardHeader>
            <Table>
              <TableHeader>
                <TableRow className="hover:bg-transparent">
                  <TableHead>Email</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead className="hidden sm:table-cell">Expires</TableHead>
                  {writable ? <TableHead className="text-right">Link</TableHead> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {invitations.map((inv) => (
                  <TableRow key={inv.id} data-testid="invitation-row">
                    <TableCell className="max-w-[18rem]">
                      <span className="block truncate font-medium text-zinc-900">{inv.email}</span>
                      <span className="block truncate text-xs text-zinc-500">invited by {inv.invitedBy}</span>
                    </TableCell>
                    <TableCell>
                      <Badge variant="neutral" className="capitalize">
                        {inv.role}
                      </Badge>
                    </TableCell>
                    <TableCell className="hidden sm:table-cell">
                      {inv.status === "expired" ? <Badge variant="warning">Expired</Badge> : formatDate(new Date(inv.expiresAt))}
                    </TableCell>
                    {writable ? (
                      <TableCell className="text-right">
                        <RevokeInvitationButton invitationId={inv.id} email={inv.email} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Card>
        ) : null}
        <Card>
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Member</TableHead>
                <TableHead className={writable ? "hidden sm:table-cell" : undefined}>Role</TableHead>
                <TableHead className="hidden sm:table-cell">Joined</TableHead>
                {writable ? <TableHead className="text-right">Role and access</TableHead> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.map((m) => (
                <TableRow key={m.membershipId}>
                  <TableCell className="max-w-[18rem]">
                    <span className="block truncate font-medium text-zinc-900">
                      {m.name}
                      {m.userId === actor.userId ? <span className="ml-1.5 font-normal text-zinc-500">(you)</span> : null}
                    </span>
                    <span className="block truncate text-xs text-zinc-500">{m.email}</span>
                  </TableCell>
                  <TableCell className={writable ? "hidden sm:table-cell" : undefined}>
                    <Badge variant={m.role === "owner" ? "default" : m.role === "admin" ? "info" : "neutral"} className="capitalize">
                      {m.role}
                    </Badge>
                  </TableCell>
                  <TableCell className="hidden sm:table-cell">{formatDate(m.joinedAt)}</TableCell>
                  {writable ? (
                    <TableCell className="text-right">
                      <MemberRowActions membershipId={m.membershipId} email={m.email} role={m.role} actorRole={actor.role} isSelf={m.userId === actor.userId} />
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      </div>
    </>
  );
}
