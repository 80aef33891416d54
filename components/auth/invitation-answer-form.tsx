"use client";

import * as React from "react";
import { answerInvitationAction, type InvitationAnswerState } from "@/app/invite/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { Button } from "@/components/ui/button";

export function InvitationAnswerForm({ token }: { token: string }) {
  const [state, formAction, pending] = React.useActionState<InvitationAnswerState, FormData>(answerInvitationAction, {});
  return (
    <form action={formAction} className="grid gap-3">
      <FormAlert message={state.message} />
      <input type="hidden" name="token" value={token} />
      <div className="grid grid-cols-2 gap-3">
        <Button type="submit" name="answer" value="decline" variant="outline" disabled={pending}>
          Decline
        </Button>
        <Button type="submit" name="answer" value="accept" disabled={pending}>
          Accept invitation
        </Button>
      </div>
    </form>
  );
}
