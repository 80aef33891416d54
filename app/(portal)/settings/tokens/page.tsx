import type { Metadata } from "next";
import { KeyRound } from "lucide-react";
import { CreateTokenDialog } from "@/components/api-tokens/create-token-dialog";
import { RevokeTokenButton } from "@/components/api-tokens/revoke-token-button";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApiTokens } from "@/lib/api-tokens/list-api-tokens";
import { formatDate, formatDateTime } from "@/lib/utils/format-date";

export const metadata: Metadata = { title: "API tokens · Pullgate" };

export default async function ApiTokensPage() {
  const actor = await requireSessionActor();
  const tokens = await listApiTokens(actor);
  const writable = canWrite(actor);

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens for the REST API (/api/v1). A token acts with its creator's role in this team; it stops working when revoked or when its creator leaves the team."
        actions={writable ? <CreateTokenDialog /> : null}
      />
      {!writable ? <ReadOnlyNotice /> : null}
      {tokens.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API tokens yet" className={writable ? "" : "mt-6"}>
          {writable ? "Create one with New API token to" : "Owners and admins create tokens to"} manage apps and customers from CI or scripts, e.g.{" "}
          <code className="font-mono text-xs">curl -H &quot;Authorization: Bearer $TOKEN&quot; …/api/v1/customers</code>.
        </EmptyState>
      ) : (
        <Card className={writable ? "" : "mt-6"}>
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Name</TableHead>
                <TableHead>Prefix</TableHead>
                <TableHead className="hidden md:table-cell">Created</TableHead>
                <TableHead>Last used</TableHead>
                {writable ? (
                  <TableHead className="text-right">
                    <span className="sr-only">Revoke</span>
                  </TableHead>
                ) : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {tokens.map((t) => (
                <TableRow key={t.id} className={t.revokedAt ? "text-zinc-400" : undefined}>
                  <TableCell className="max-w-[16rem]">
                    <span className="flex items-center gap-2">
                      <span className="truncate font-medium text-zinc-900">{t.name}</span>
                      {t.revokedAt ? <Badge variant="outline">Revoked {formatDate(t.revokedAt)}</Badge> : null}
                    </span>
                    {t.createdBy ? <span className="block truncate text-xs text-zinc-500">by {t.createdBy}</span> : null}
                  </TableCell>
                  <TableCell className="font-mono text-xs">{t.prefix}_…</TableCell>
                  <TableCell className="hidden whitespace-nowrap md:table-cell">{formatDate(t.createdAt)}</TableCell>
                  <TableCell className="whitespace-nowrap">{formatDateTime(t.lastUsedAt, "Never")}</TableCell>
                  {writable ? (
                    <TableCell className="text-right">
                      {t.revokedAt ? null : <RevokeTokenButton tokenId={t.id} name={t.name} />}
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </>
  );
}
