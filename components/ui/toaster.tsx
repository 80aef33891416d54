"use client";

import { Toaster as SonnerToaster } from "sonner";

export { toast } from "sonner";

/** Mounted once in the root layout; call `toast.success(...)` / `toast.error(...)` anywhere on the client. */
export function Toaster() {
  return (
    <SonnerToaster
      position="bottom-right"
      closeButton
      toastOptions={{
        classNames: {
          toast: "!rounded-lg !border !border-zinc-200 !bg-white !text-zinc-900 !shadow-lg !font-sans",
          description: "!text-zinc-500",
        },
      }}
    />
  );
}
