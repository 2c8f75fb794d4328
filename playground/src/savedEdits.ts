/**
 * What the visitor typed in the editor, kept in localStorage, so a reload brings back their Dockerfile
 * along with the images they built from it (those are in IndexedDB). Only edited text files are kept:
 * the examples' own files come from the server again.
 */
import type { Workspace } from './workspace';

const KEY = 'berth-playground-edits';

export class SavedEdits {
  private readonly edits: Record<string, string>;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined) {
    let saved: unknown;
    try {
      saved = JSON.parse(storage?.getItem(KEY) ?? '{}');
    } catch {
      saved = {};
    }
    this.edits = {};
    if (typeof saved === 'object' && saved !== null) {
      for (const [path, text] of Object.entries(saved)) if (typeof text === 'string') this.edits[path] = text;
    }
  }

  /** Records the text of an edited file (written a moment later, once typing pauses). */
  record(path: string, text: string): void {
    this.edits[path] = text;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), 300);
  }

  /** Writes now. A full storage keeps what was saved before (the edits stay in this tab). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.edits));
    } catch (e) {
      console.warn('playground: cannot keep the edits across reloads', e);
    }
  }

  /** Puts the saved edits under `dir` into the workspace. */
  applyTo(workspace: Workspace, dir: string): void {
    for (const [path, text] of Object.entries(this.edits)) {
      if (path.startsWith(`${dir}/`)) workspace.writeFile(path, text);
    }
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.storage?.removeItem(KEY);
  }
}
