/**
 * The terminal's command loop: a prompt with a line editor and history, a few shell builtins, and
 * `berth ...`, which is the real CLI (src/cli/main) on a host made of this page: output to the terminal
 * (with backpressure: a write resolves once xterm has taken it), stdin from the keyboard, files from the
 * workspace, the engine shared with the rest of the page.
 *
 * While a command runs, the keyboard belongs to it: typed lines are echoed and edited locally and sent to
 * the container's stdin when it was started with -i (Enter sends the line, Ctrl-D ends input); Ctrl-C is
 * an interrupt, which `berth run` answers by killing the container (exit 130 is what a shell shows; the
 * container's own status is 137).
 */
import type { Terminal } from '@xterm/xterm';
import type { WorkerHost } from '../../runtime/process/types';
import type { BuildCache } from '../../src/build/cache';
import { main, type CliHost, type FileSink } from '../../src/cli/main';
import type { Engine } from '../../src/engine/Engine';
import type { TransferFs } from '../../src/transfer/fs';
import { CommandLineError, quoteWord, splitWords } from './commandLine';
import { InputQueue } from './inputQueue';
import { LineEditor } from './lineEditor';
import { normalizePath, type Workspace } from './workspace';

export interface ShellDeps {
  term: Terminal;
  workspace: Workspace;
  workerHost: WorkerHost;
  engine(): Promise<Engine>;
  buildCache: BuildCache;
  version: string;
  /** The build context of base image `name` (a workspace path, filled by loadBaseImage), or undefined. */
  baseImage(name: string): string | undefined;
  /** The OCI layout of base image `name` (a /images/oci/ path the transfer directories serve), or undefined. */
  baseImageLayout(name: string): string | undefined;
  /** Directories for image transfers: layouts over HTTP, the rest in the workspace. */
  transferFs: TransferFs;
  loadBaseImage(path: string): Promise<void>;
  /** After every command: the page refreshes its image and container lists. */
  afterCommand(argv: readonly string[], status: number): void;
}

export const PROMPT = '\x1b[1;34mberth\x1b[0m:\x1b[36m~\x1b[0m$ ';
/** The prompt's width on screen (PROMPT without its colour codes). */
const PROMPT_TEXT = 'berth:~$ ';

const HELP = `Type berth commands as in a terminal with Docker:
  berth run hello             run the hello base image (built on first use)
  berth run -it box sh        a shell in the box image (pipes, ls, grep, sed...; Ctrl-D leaves)
  berth run --rm -i box cat   a container reading what you type (Ctrl-D ends input)
  berth build -t app .        build the project in the editor
  berth images | ps -a | logs | diff | inspect | history | commit | rm | rmi | save -o f.tar
  berth --help, berth COMMAND --help
Keys: Up/Down recall commands; Ctrl-C kills the running container (with -t: interrupts its
foreground command); Ctrl-D ends its input.
Also here: ls, cat FILE, cd DIR, pwd, clear, help.
`;

const encoder = new TextEncoder();

export class Shell {
  private readonly history: string[] = [];
  private editor: LineEditor;
  private running:
    { queue: InputQueue; interrupts: Set<() => void>; interrupted: boolean; tty: boolean } | undefined;
  private cwd = '/work';
  private idle: Promise<void> = Promise.resolve();
  private readonly idleListeners = new Set<(busy: boolean) => void>();

  constructor(private readonly deps: ShellDeps) {
    this.editor = this.promptEditor();
    deps.term.onData((data) => this.onData(data));
  }

  /** The directory `berth build .` means; the editor's project. */
  get workdir(): string {
    return this.cwd;
  }

  set workdir(dir: string) {
    this.cwd = normalizePath(dir);
  }

  /** Whether a command is running. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  onBusyChange(listener: (busy: boolean) => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  /** Writes the first prompt. */
  start(banner: string): void {
    this.deps.term.write(banner);
    this.deps.term.write(PROMPT);
  }

  /**
   * Runs a command as if typed (the Build and Run buttons): it appears after the prompt and in the
   * history. Waits for a running command to end first.
   */
  type(argv: readonly string[]): Promise<void> {
    // Queued behind whatever runs or was queued before (two quick clicks run one after the other).
    const turn = this.idle.then(async () => {
      const line = argv.map(quoteWord).join(' ');
      // Replaces a half-typed line at the prompt, as if the visitor had typed this instead.
      this.editor = this.promptEditor();
      this.deps.term.write(`\r\x1b[K${PROMPT}${line}\r\n`);
      if (this.history.at(-1) !== line) this.history.push(line);
      await this.execute(line);
    });
    this.idle = turn.catch(() => undefined);
    return turn;
  }

  /** A line for the visitor above the prompt (what a button does besides typing a command). */
  note(text: string): void {
    const term = this.deps.term;
    if (this.running !== undefined) term.write(`${text}\n`);
    else term.write(`\r\x1b[K${text}\r\n${PROMPT}${this.editor.pending}`);
  }

  private promptEditor(): LineEditor {
    return new LineEditor(
      {
        echo: (s) => this.deps.term.write(s),
        line: (text) => {
          const turn = this.idle.then(() => this.execute(text));
          this.idle = turn.catch(() => undefined);
        },
        interrupt: () => this.deps.term.write(PROMPT),
        eof: () => undefined,
      },
      PROMPT,
      this.history,
    );
  }

  private inputEditor(): LineEditor {
    const term = this.deps.term;
    return new LineEditor(
      {
        echo: (s) => term.write(s),
        line: (text) => this.running?.queue.push(encoder.encode(`${text}\n`)),
        interrupt: () => {
          const running = this.running;
          if (running === undefined) return;
          // As a terminal does on INTR: what the program wrote but the screen has not shown yet is
          // dropped, so the prompt comes back at once instead of after a flood's backlog. Only where
          // Ctrl-C ends the container: with -t it interrupts the foreground command of a shell, which
          // goes on writing (its next prompt must show).
          if (!running.tty) running.interrupted = true;
          running.interrupts.forEach((f) => f());
        },
        eof: () => this.running?.queue.close(),
      },
      '',
      undefined,
      term.buffer.active.cursorX,
    );
  }

  private onData(data: string): void {
    if (this.running !== undefined && this.editor.pending === '') {
      // A new input line starts where the program's own prompt ended.
      this.editor = this.inputEditor();
    }
    this.editor.input(data);
  }

  private execute(line: string): Promise<void> {
    const term = this.deps.term;
    const done = this.executeNow(line).finally(async () => {
      this.running = undefined;
      this.editor = this.promptEditor();
      // Output that did not end its line (a shell left with Ctrl-D) would put our prompt after it.
      await new Promise<void>((r) => term.write('', r));
      term.write(term.buffer.active.cursorX > 0 ? `\r\n${PROMPT}` : PROMPT);
      for (const l of this.idleListeners) l(false);
    });
    return done;
  }

  private async executeNow(line: string): Promise<void> {
    const term = this.deps.term;
    const out = (s: string) => new Promise<void>((r) => term.write(s, r));
    let words: string[];
    try {
      words = splitWords(line);
    } catch (e) {
      if (!(e instanceof CommandLineError)) throw e;
      await out(`sh: ${e.message}\n`);
      return;
    }
    if (words.length === 0) return;
    // -t (alone or among short flags, -it) or --tty: the CLI interrupts instead of killing on Ctrl-C.
    const tty = words.some((w) => w === '--tty' || w === '--tty=true' || /^-[a-zA-Z]*t[a-zA-Z]*$/.test(w));
    this.running = { queue: new InputQueue(), interrupts: new Set(), interrupted: false, tty };
    this.editor = this.inputEditor();
    for (const l of this.idleListeners) l(true);
    const [command, ...args] = words as [string, ...string[]];
    switch (command) {
      case 'berth':
      case 'docker': {
        const status = await this.berth(args);
        this.deps.afterCommand(args, status);
        return;
      }
      case 'help':
        return out(HELP);
      case 'clear':
        term.clear();
        return;
      case 'pwd':
        return out(`${this.cwd}\n`);
      case 'cd': {
        const dir = normalizePath(args[0] ?? '/work', this.cwd);
        if (!this.deps.workspace.has(dir)) return out(`cd: ${args[0]}: no such directory\n`);
        this.cwd = dir;
        return;
      }
      case 'ls': {
        const dir = normalizePath(args[0] ?? '.', this.cwd);
        const names = new Set(this.deps.workspace.list(dir).map((e) => e.path.split('/')[0]!));
        return out(names.size === 0 ? '' : `${[...names].join('  ')}\n`);
      }
      case 'cat': {
        for (const a of args) {
          try {
            await out(
              new TextDecoder().decode(await this.deps.workspace.readFile(normalizePath(a, this.cwd))),
            );
          } catch {
            await out(`cat: ${a}: no such file\n`);
          }
        }
        return;
      }
    }
    const hint =
      ['run', 'build', 'images', 'ps', 'logs', 'rm', 'rmi', 'inspect', 'diff', 'commit', 'save', 'history'].includes(command) // prettier-ignore
        ? ` (did you mean: berth ${line.trim()})`
        : '';
    await out(`${command}: command not found${hint}\n`);
  }

  /** The CLI on this page's host. */
  private async berth(argv: readonly string[]): Promise<number> {
    const { deps } = this;
    const term = deps.term;
    const running = this.running!;
    const write = (chunk: Uint8Array | string) =>
      running.interrupted ? Promise.resolve() : new Promise<void>((r) => term.write(chunk, r));
    const workspace = deps.workspace;
    const abs = (p: string) => normalizePath(p, this.cwd);
    const host: CliHost = {
      argv,
      stdout: write,
      stderr: write,
      stdin: running.queue,
      env: {},
      readFile: (p) => workspace.readFile(abs(p)),
      resolveHostDir: () => {
        throw new Error('a browser tab has no host directories (use a named volume: -v NAME:/path)');
      },
      workerHost: deps.workerHost,
      version: deps.version,
      openEngine: () => deps.engine(),
      createFile: async (p): Promise<FileSink> => {
        const parts: Uint8Array[] = [];
        return {
          write: (chunk) => void parts.push(chunk.slice()),
          close: async () => {
            const size = parts.reduce((n, c) => n + c.length, 0);
            const data = new Uint8Array(size);
            let at = 0;
            for (const c of parts) {
              data.set(c, at);
              at += c.length;
            }
            workspace.writeFile(abs(p), data);
          },
          abort: async () => undefined,
        };
      },
      writeFile: async (p, data) => workspace.writeFile(abs(p), data),
      readStream: (p) => ({
        async *[Symbol.asyncIterator]() {
          yield await workspace.readFile(abs(p));
        },
      }),
      stdoutIsTTY: true,
      cwd: this.cwd,
      openBuildContext: async (p) => {
        const dir = abs(p);
        await deps.loadBaseImage(dir);
        return workspace.context(dir);
      },
      buildCache: async () => deps.buildCache,
      onInterrupt: (handler) => {
        running.interrupts.add(handler);
        return () => running.interrupts.delete(handler);
      },
      baseImageContext: (name) => deps.baseImage(name),
      baseImageLayout: (name) => deps.baseImageLayout(name),
      transferFs: deps.transferFs,
      hostPlatform: 'browser/wasm',
      jsRuntime: typeof navigator !== 'undefined' ? navigator.userAgent : 'browser',
    };
    try {
      return await main(host);
    } catch (e) {
      await write(`berth: ${e instanceof Error ? e.message : String(e)}\n`);
      return 125;
    }
  }
}

export { PROMPT_TEXT };
