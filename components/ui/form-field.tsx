"use client";

import * as React from "react";
import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils/cn";

type ControlProps = {
  id: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
};

export type FormFieldProps = {
  label: React.ReactNode;
  /** Field error message(s); the first is shown. */
  error?: string | string[] | null;
  description?: React.ReactNode;
  /** Shown on the label's right, e.g. a "Forgot?" link. */
  labelAside?: React.ReactNode;
  optional?: boolean;
  className?: string;
  id?: string;
  /** One control element (Input, Textarea, Select…); it receives id, aria-invalid and aria-describedby. */
  children: React.ReactElement<ControlProps>;
};

/** Label + control + description + field error, wired together for assistive technology. */
export function FormField({ label, error, description, labelAside, optional, className, id, children }: FormFieldProps) {
  const generatedId = React.useId();
  const controlId = id ?? children.props.id ?? `field-${generatedId}`;
  const message = Array.isArray(error) ? error[0] : error;
  const descriptionId = description ? `${controlId}-description` : undefined;
  const errorId = message ? `${controlId}-error` : undefined;
  const describedBy = [children.props["aria-describedby"], descriptionId, errorId].filter(Boolean).join(" ") || undefined;

  const control = React.cloneElement(children, {
    id: controlId,
    "aria-invalid": message ? true : children.props["aria-invalid"],
    "aria-describedby": describedBy,
  });

  return (
    <div className={cn("grid gap-1.5", className)}>
      <div className="flex items-center justify-between gap-2">
        <Label htmlFor={controlId}>
          {label}
          {optional ? <span className="ml-1 font-normal text-zinc-500">(optional)</span> : null}
        </Label>
        {labelAside}
      </div>
      {control}
      {description ? (
        <p id={descriptionId} className="text-[13px] text-zinc-500">
          {description}
        </p>
      ) : null}
      {message ? (
        <p id={errorId} className="text-[13px] font-medium text-red-600">
          {message}
        </p>
      ) : null}
    </div>
  );
}
