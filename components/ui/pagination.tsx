import * as React from "react";
import { ChevronLeft, ChevronRight } from "lucide-react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils/cn";

export type PaginationProps = {
  /** 1-based current page. */
  page: number;
  pageSize: number;
  total: number;
  /** Build the link for a page (URL-driven lists)… */
  hrefForPage?: (page: number) => string;
  /** …or handle the change in the client. */
  onPageChange?: (page: number) => void;
  className?: string;
  /** Render links with this component (e.g. next/link); defaults to <a>. */
  linkComponent?: React.ElementType;
};

export function Pagination({ page, pageSize, total, hrefForPage, onPageChange, className, linkComponent: LinkComponent = "a" }: PaginationProps) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);

  function control(target: number, label: string, icon: React.ReactNode, disabled: boolean) {
    if (disabled || (!hrefForPage && !onPageChange)) {
      return (
        <Button variant="secondary" size="sm" disabled aria-label={label}>
          {icon}
        </Button>
      );
    }
    if (hrefForPage) {
      return (
        <Button variant="secondary" size="sm" asChild>
          <LinkComponent href={hrefForPage(target)} aria-label={label}>
            {icon}
          </LinkComponent>
        </Button>
      );
    }
    return (
      <Button variant="secondary" size="sm" onClick={() => onPageChange?.(target)} aria-label={label}>
        {icon}
      </Button>
    );
  }

  return (
    <nav aria-label="Pagination" className={cn("flex items-center justify-between gap-4 py-3 text-sm text-zinc-500", className)}>
      <p>
        {total === 0 ? (
          "No results"
        ) : (
          <>
            <span className="font-medium text-zinc-700">{from.toLocaleString("en-US")}</span>–
            <span className="font-medium text-zinc-700">{to.toLocaleString("en-US")}</span> of{" "}
            <span className="font-medium text-zinc-700">{total.toLocaleString("en-US")}</span>
          </>
        )}
      </p>
      <div className="flex items-center gap-2">
        <span className="hidden sm:inline">
          Page {page} of {pageCount}
        </span>
        {control(page - 1, "Previous page", <ChevronLeft aria-hidden />, page <= 1)}
        {control(page + 1, "Next page", <ChevronRight aria-hidden />, page >= pageCount)}
      </div>
    </nav>
  );
}
