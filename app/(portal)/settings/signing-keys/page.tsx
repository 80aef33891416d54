import type { Metadata } from "next";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { RotateKeyButton } from "@/components/signing-keys/rotate-key-button";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CodeBlock } from "@/components/ui/code-block";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { prisma } from "@/lib/db/client";
import { listPublishedKeys } from "@/lib/signing-keys/published-keys";
import { formatDate, formatDateTime } from "@/lib/utils/format-date";

export const metadata: Metadata = { title: "Signing keys · Pullgate" };

export default async function SigningKeysPage() {
  const actor = await requireSessionActor();
  const keys = await listPublishedKeys(prisma, actor.teamId);
  const writable = canWrite(actor);
  const path = `/.well-known/pullgate/${actor.teamId}/jwks.json`;
  const proxyScheme = config.proxyPublicHost.startsWith("localhost") || config.proxyPublicHost.startsWith("127.") ? "http" : "https";

  return (
    <>
      <PageHeader
        title="Signing keys"
        description="License files are signed (EdDSA, Ed25519) with this team's current key. Your application verifies them offline with the public keys below; see the README's License files section."
        actions={writable ? <RotateKeyButton /> : null}
      />
      {!writable ? <ReadOnlyNotice /> : null}
      <div className="space-y-6">
        <CodeBlock title="Public keys (JWK Set), on the portal" code={`${config.portalUrl.replace(/\/$/, "")}${path}`} />
        <CodeBlock title="…and on the proxy host" code={`${proxyScheme}://${config.proxyPublicHost}${path}`} />
        <Card>
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Key ID</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>Status</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.map((k) => (
                <TableRow key={k.kid}>
                  <TableCell className="font-mono text-xs">{k.kid}</TableCell>
                  <TableCell>{formatDateTime(k.createdAt)}</TableCell>
                  <TableCell>
                    {k.retiredAt === null ? (
                      <Badge>Current</Badge>
                    ) : (
                      <span className="text-sm text-zinc-600">
                        Retired {formatDate(k.retiredAt)}; published {k.publishedUntil ? `until ${formatDate(k.publishedUntil)}` : "while a license it signed never expires"}
                      </span>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
        <CodeBlock title="Current public key (JWK)" code={JSON.stringify(keys[0]?.publicJwk ?? {}, null, 2)} />
      </div>
    </>
  );
}
