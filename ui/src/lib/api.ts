// The bridge to Harbour's core. Every command and type comes from the generated bindings;
// a failed command throws its { code, message } so screens can show the message as it is.
import { commands, type AppError, type Code } from "./bindings";

export { commands };
export type * from "./bindings";

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

export class HarbourError extends Error {
  code: Code;
  constructor(e: AppError) {
    super(e.message);
    this.code = e.code;
  }
}

/** Awaits a command and returns its value, or throws a HarbourError with the plain sentence. */
export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (r.status === "error") throw new HarbourError(r.error);
  return r.data;
}

/** The sentence to show for anything thrown. */
export function messageOf(e: unknown): string {
  if (e instanceof HarbourError) return e.message;
  if (e instanceof Error) return e.message;
  return "Something went wrong, and nothing was changed.";
}
