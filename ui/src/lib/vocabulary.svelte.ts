// The words shown for Harbour's codes: roles, risk levels, agencies, key contacts, areas and
// statuses, each with its label, from the core (`get_vocabulary`). Nothing here types a
// label; a word is found by either spelling the core uses (see read/vocabulary.rs).
import { commands, type Vocabulary } from "./api";

const empty: Vocabulary = {
  roles: [],
  risk_levels: [],
  agencies: [],
  contact_roles: [],
  areas: [],
  statuses: [],
};

export const vocabulary = $state<{ words: Vocabulary }>({ words: empty });

/** Reads the vocabulary from the core; called once, before the first screen. */
export async function loadVocabulary(): Promise<void> {
  vocabulary.words = await commands.getVocabulary();
}

/** The label for a code or value of one kind of word, or the code itself if unknown. */
export function label(kind: keyof Vocabulary, code: string | null | undefined): string {
  if (!code) return "";
  const word = vocabulary.words[kind].find((w) => w.code === code || w.value === code);
  return word?.label ?? code;
}
