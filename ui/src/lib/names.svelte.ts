// The names of the organisation's centres and categories, read from the core once the case
// log is open, so that screens show "Manchester" and "Cyberbullying and harassment" where
// the tables hold MAN and cyberbullying. Unknown codes are shown as they are.
import { call, commands } from "./api";

export const names = $state<{
  centres: Record<string, string>;
  categories: Record<string, string>;
}>({ centres: {}, categories: {} });

/** Reads the names again: after unlocking, and after a centre or category is added. */
export async function loadNames(): Promise<void> {
  const [org, categories] = await Promise.all([
    call(commands.getOrganisation()),
    call(commands.listCategories()),
  ]);
  names.centres = Object.fromEntries(org.centres.map((c) => [c.code, c.name]));
  names.categories = Object.fromEntries(categories.map((c) => [c.code, c.name]));
}

/** A centre's name, e.g. "Manchester", for its code. */
export function centreName(code: string | null | undefined): string {
  if (!code) return "";
  return names.centres[code] ?? code;
}

/** A category's name for its code. */
export function categoryName(code: string): string {
  return names.categories[code] ?? code;
}
