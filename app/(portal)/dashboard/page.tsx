import type { Metadata } from "next";
import { Boxes, Database, Users } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { GettingStarted, type SetupStep } from "@/components/portal/getting-started";
import { StatCard } from "@/components/portal/stat-card";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { getTeamOverview } from "@/lib/teams/get-team-overview";

export const metadata: Metadata = { title: "Dashboard · Pullgate" };

export default async function DashboardPage() {
  const actor = await requireSessionActor();
  const overview = await getTeamOverview(actor);
  const writable = canWrite(actor);

  const steps: SetupStep[] = [
    {
      title: "Link a container registry",
      description: "Give Pullgate read access to where your images live: Docker Hub, GHCR, ECR, Artifact Registry, Quay or any registry.",
      done: overview.registries > 0,
      action: { href: "/settings/registries", label: "Link a registry" },
    },
    {
      title: "Create an app",
      description: "An app groups the images you ship together; its slug becomes part of every image path.",
      done: overview.apps > 0,
      action: { href: "/apps/new", label: "Create an app" },
    },
    {
      title: "Add a customer",
      description: "Each customer gets a license ID they use as their registry password. Add customers from an app's page.",
      done: overview.customers > 0,
    },
  ];
  const isNewTeam = overview.apps === 0 && overview.registries === 0 && overview.customers === 0;

  return (
    <>
      <PageHeader title="Dashboard" description="Your apps, customers and the registries Pullgate proxies for them." />
      {isNewTeam ? (
        <GettingStarted steps={steps} canWrite={writable} welcome />
      ) : (
        <div className="grid gap-6">
          <div className="grid gap-4 sm:grid-cols-3">
            <StatCard label="Apps" value={overview.apps} icon={Boxes} />
            <StatCard
              label="Customers"
              value={overview.activeCustomers}
              icon={Users}
              hint={overview.customers > overview.activeCustomers ? `${overview.customers - overview.activeCustomers} archived` : undefined}
            />
            <StatCard label="Linked registries" value={overview.registries} icon={Database} />
          </div>
          {steps.some((s) => !s.done) ? <GettingStarted steps={steps} canWrite={writable} /> : null}
        </div>
      )}
    </>
  );
}
