// zod error callbacks that tell "missing" apart from "wrong type", so a
// message says "Name is required." rather than "Must be a string." for {}.
export function typeError(expected: string, requiredMessage = "Required.") {
  return (issue: { input?: unknown }) => (issue.input === undefined ? requiredMessage : expected);
}
