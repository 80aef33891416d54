import { redirect } from "next/navigation";
import { Providers } from "@/app/providers";
import { PortalShell } from "@/components/portal/portal-shell";
import { getSessionContext } from "@/lib/auth/session";

// Every portal page depends on the signed-in user and their team.
export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const session = await getSessionContext();
  if (!session) redirect("/signin");
  if (session.twoFactorMissing) redirect("/two-factor");
  return (
    <Providers>
      <PortalShell user={session.user} teams={session.teams}>
        {children}
      </PortalShell>
    </Providers>
  );
}
