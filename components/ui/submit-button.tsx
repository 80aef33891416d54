"use client";

import * as React from "react";
import { Button, type ButtonProps } from "@/components/ui/button";

const noSubscription = () => () => {};

/** False in the server's HTML and while hydrating, true once this page's script runs. */
export function useHydrated(): boolean {
  return React.useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * The submit button of a form handled in script (`onSubmit`): disabled until
 * the script has run, so a click on a page that is still loading cannot send
 * the form natively and lose what was typed (Playwright waits for it too).
 */
export function SubmitButton({ disabled, ...props }: Omit<ButtonProps, "type" | "asChild">) {
  const hydrated = useHydrated();
  return <Button type="submit" disabled={disabled || !hydrated} {...props} />;
}
