import Link from "next/link";
import { ArrowRight, CheckCircle2, Circle, Rocket } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/lib/utils/cn";

export type SetupStep = {
  title: string;
  description: string;
  done: boolean;
  /** Where to do it, when that page is reachable now. */
  action?: { href: string; label: string };
};

/** The next things a vendor has to do, in order; finished steps are ticked off. */
export function GettingStarted({ steps, canWrite, welcome = false }: { steps: SetupStep[]; canWrite: boolean; welcome?: boolean }) {
  const remaining = steps.filter((s) => !s.done).length;
  return (
    <Card>
      {welcome ? (
        <CardHeader className="items-center gap-0 px-6 py-8 text-center">
          <div className="mb-4 flex size-11 items-center justify-center rounded-full bg-zinc-100 text-zinc-600">
            <Rocket className="size-5" aria-hidden />
          </div>
          <CardTitle>Welcome to Pullgate</CardTitle>
          <CardDescription className="mt-1.5 max-w-lg">
            {canWrite
              ? "Nothing here yet. Three steps to your first licensed pull: link the registry that holds your images, create an app, then add customers. Each customer gets a license that lets them pull only what you allow."
              : "Nothing here yet. Your role in this team is read-only: an owner or admin links registries and creates apps."}
          </CardDescription>
        </CardHeader>
      ) : (
        <CardHeader>
          <CardTitle>Get started</CardTitle>
          <CardDescription>
            {remaining === 0
              ? "All set: your customers can pull through Pullgate."
              : `${steps.length - remaining} of ${steps.length} done. Pullgate serves your images only to customers with a valid license.`}
          </CardDescription>
        </CardHeader>
      )}
      <CardContent className="p-0">
        <ol className="divide-y divide-zinc-100">
          {steps.map((step, index) => {
            const next = !step.done && steps.slice(0, index).every((s) => s.done);
            return (
              <li key={step.title} className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center">
                <div className="flex min-w-0 flex-1 items-start gap-3">
                  {step.done ? (
                    <CheckCircle2 className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-label="Done" />
                  ) : (
                    <Circle className={cn("mt-0.5 size-5 shrink-0", next ? "text-zinc-900" : "text-zinc-300")} aria-label="To do" />
                  )}
                  <div className="min-w-0">
                    <p className={cn("text-sm font-medium", step.done ? "text-zinc-500 line-through decoration-zinc-300" : "text-zinc-900")}>
                      <span className="text-zinc-400">{index + 1}.</span> {step.title}
                    </p>
                    <p className="mt-0.5 text-sm text-zinc-500">{step.description}</p>
                  </div>
                </div>
                {step.action && !step.done && canWrite ? (
                  <Button asChild size="sm" variant={next ? "default" : "secondary"} className="ml-8 self-start sm:ml-0 sm:self-center">
                    <Link href={step.action.href}>
                      {step.action.label}
                      <ArrowRight aria-hidden />
                    </Link>
                  </Button>
                ) : null}
              </li>
            );
          })}
        </ol>
      </CardContent>
    </Card>
  );
}
