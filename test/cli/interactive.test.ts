/**
 * `berth run -it box sh` on a real terminal: util-linux `script` gives berth a pty, so the host's line
 * discipline echoes what is typed, turns Ctrl-C into SIGINT for berth and Ctrl-D into end of input —
 * exactly what a user at a terminal gets. Each step waits for the shell's prompt before typing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, bin, freshRoot, removeRoot, root } from './helpers';

const hasScript = spawnSync('script', ['--version']).status === 0;
const stateRoot = freshRoot('berth-it-');

beforeAll(async () => {
  // Build the box base image once, outside the timed interactive session.
  const r = await berth(stateRoot, ['run', '--rm', 'box', 'true']);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => removeRoot(stateRoot));

/** A terminal session: the text seen so far, and a way to type and to wait for output. */
function terminal(command: string) {
  // `script` runs the command with $SHELL -c; `exec` makes berth the terminal's only foreground process,
  // as a user's shell makes it. Otherwise a non-interactive dash (SHELL unset, as on CI) waits in the same
  // process group, dies of the Ctrl-C itself, and `script` reports its 130 instead of berth's status.
  const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], {
    cwd: root,
    env: { ...process.env, BERTH_ROOT: stateRoot, TERM: 'xterm' },
    stdio: 'pipe',
  });
  let screen = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (b: Buffer) => {
    screen += b.toString();
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    get screen() {
      return screen.replace(/\r/g, '');
    },
    type(text: string) {
      child.stdin.write(text);
    },
    /** Resolves once `pattern` matches the output after `from` characters. */
    async waitFor(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = screen.replace(/\r/g, '').slice(from);
        const m = pattern.exec(seen);
        if (m) return from + m.index + m[0].length;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen:\n${screen}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

describe.runIf(hasScript)('berth run -it box sh', () => {
  it('should prompt, run commands, interrupt the foreground one with Ctrl-C, and end on Ctrl-D', async () => {
    const t = terminal(`${process.execPath} ${bin} run -it --rm box sh`);
    try {
      let at = await t.waitFor(/\$ /);
      t.type('echo hello $((6*7))\n');
      at = await t.waitFor(/hello 42\n\$ /, at);
      t.type('false; echo status=$?\n');
      at = await t.waitFor(/status=1\n\$ /, at);

      // A runaway foreground command: Ctrl-C ends it (status 130) and the shell carries on.
      t.type('yes > /dev/null\n');
      await new Promise((r) => setTimeout(r, 500));
      t.type('\x03');
      at = await t.waitFor(/\$ /, at);
      t.type('echo after=$?\n');
      at = await t.waitFor(/after=130\n\$ /, at);

      // Ctrl-C at the prompt gives a new prompt, not the end of the container.
      t.type('\x03');
      at = await t.waitFor(/\$ /, at);
      t.type('cd /bin && pwd && ls | grep -c .\n');
      await t.waitFor(/\/bin\n\d+\n\$ /, at);

      t.type('\x04');
      expect(await t.exited).toBe(0);
    } finally {
      t.kill();
    }
  }, 90_000);

  it('should give the guest a terminal with -t and none without, as Docker does', async () => {
    const probe =
      '[ -t 0 ] && echo in=tty || echo in=none; [ -t 1 ] && echo out=tty || echo out=none; [ -t 2 ] && echo err=tty || echo err=none; ls /bin | cat | head -n 1';
    const plain = await berth(stateRoot, ['run', '--rm', '-i', 'box', 'sh', '-c', probe], { stdin: '' });
    expect(plain.stdout).toBe('in=none\nout=none\nerr=none\n[\n');
    expect(plain.code).toBe(0);

    const t = terminal(`${process.execPath} ${bin} run -it --rm box sh -c '${probe}'`);
    try {
      await t.waitFor(/err=tty\n\[\n/);
      expect(t.screen).toContain('in=tty\nout=tty\nerr=tty\n');
      expect(await t.exited).toBe(0);
    } finally {
      t.kill();
    }
  }, 60_000);

  it('should give the exit status of the shell as the exit status of berth', async () => {
    const t = terminal(`${process.execPath} ${bin} run -it --rm box sh`);
    try {
      await t.waitFor(/\$ /);
      t.type('exit 7\n');
      expect(await t.exited).toBe(7);
    } finally {
      t.kill();
    }
  }, 60_000);

  it('should kill a container that starts no processes on Ctrl-C', async () => {
    const t = terminal(`${process.execPath} ${bin} run -it --rm box sleep 60`);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      t.type('\x03');
      expect(await t.exited).toBe(137);
    } finally {
      t.kill();
    }
  }, 60_000);
});
