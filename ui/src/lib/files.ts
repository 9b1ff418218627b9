// Choosing files goes through the dialog plugin only; a path can also be typed (the field
// beside each "Choose…" button), which keyboard users and the end-to-end tests rely on.
import { open, save } from "@tauri-apps/plugin-dialog";

/** Asks for one existing file; null if the coordinator cancelled. */
export async function chooseFile(kind?: { name: string; extensions: string[] }) {
  const picked = await open({ multiple: false, filters: kind ? [kind] : undefined });
  return typeof picked === "string" ? picked : null;
}

/** Asks for one existing folder; null if the coordinator cancelled. */
export async function chooseFolder() {
  const picked = await open({ multiple: false, directory: true });
  return typeof picked === "string" ? picked : null;
}

/** Asks where to save a new file; null if the coordinator cancelled. */
export async function chooseSaveAs(
  defaultPath: string,
  kind: { name: string; extensions: string[] },
) {
  const picked = await save({ defaultPath, filters: [kind] });
  return typeof picked === "string" ? picked : null;
}

export const PDF = { name: "PDF", extensions: ["pdf"] };
export const ZIP = { name: "Evidence pack", extensions: ["zip"] };
export const CSV = { name: "CSV", extensions: ["csv"] };
export const BUNDLE = { name: "Harbour bundle", extensions: ["hbsync"] };
export const CARD = { name: "Harbour card", extensions: ["json"] };
export const BACKUP = { name: "Harbour backup", extensions: ["hbbackup"] };
