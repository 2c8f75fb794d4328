/**
 * The container commands end to end: the real bin/berth.js in child processes on a fresh BERTH_ROOT,
 * every process seeing the state the ones before it left.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, freshRoot, removeRoot, rows, seedImages, startBerth } from './helpers';

let state: string;
let host: string;
const b = (args: string[], options?: Parameters<typeof berth>[2]) => berth(state, args, options);

beforeAll(async () => {
  state = freshRoot();
  host = freshRoot('berth-host-');
  await seedImages(state);
});
afterAll(() => {
  removeRoot(state);
  removeRoot(host);
});

describe('run', () => {
  it('runs an image and passes its output and exit status through', async () => {
    expect(await b(['run', '--rm', 'hello'])).toMatchObject({ code: 0, stdout: 'hello\n', stderr: '' });
    const r = await b(['run', '--rm', 'tool', 'exit', '42']);
    expect(r.code).toBe(42);
  });

  it('keeps the container, which a second process lists', async () => {
    expect((await b(['run', '--name', 'first', 'hello'])).code).toBe(0);
    const ps = await b(['ps', '-a']);
    expect(ps.stdout.split('\n')[0]).toMatch(
      /^CONTAINER ID {3}IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/,
    );
    const line = rows(ps.stdout).find((l) => l.endsWith(' first'));
    expect(line).toMatch(/^[0-9a-f]{12} {3}hello +"\/hello\.wasm" +.* ago +Exited \(0\) .* ago +first$/);
    // Not running: plain `ps` leaves it out.
    expect(rows((await b(['ps'])).stdout).some((l) => l.endsWith(' first'))).toBe(false);
  });

  it('removes the container with --rm', async () => {
    await b(['run', '--rm', '--name', 'gone', 'hello']);
    expect((await b(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n')).not.toContain('gone');
  });

  it('sets env from -e, --env-file and the host, over the image Env', async () => {
    expect((await b(['run', '--rm', 'tool', 'env', 'GREETING'])).stdout).toBe('hi\n');
    expect((await b(['run', '--rm', '-e', 'GREETING=hello there', 'tool', 'env', 'GREETING'])).stdout).toBe('hello there\n'); // prettier-ignore
    const file = join(host, 'env.list');
    writeFileSync(file, '# comment\n\nFROM_FILE=yes\nPASSED\n');
    const r = await b(['run', '--rm', '--env-file', file, 'tool', 'env', 'FROM_FILE'], {
      env: { PASSED: 'p' },
    });
    expect(r.stdout).toBe('yes\n');
    const passed = await b(['run', '--rm', '--env-file', file, '-e', 'HOSTVAR', 'tool', 'env', 'PASSED'], { env: { PASSED: 'p' } }); // prettier-ignore
    expect(passed.stdout).toBe('p\n');
    const hostVar = await b(['run', '--rm', '-e', 'HOSTVAR', 'tool', 'env', 'HOSTVAR'], {
      env: { HOSTVAR: 'from host' },
    });
    expect(hostVar.stdout).toBe('from host\n');
  });

  it('sets the working directory, entrypoint and command', async () => {
    expect((await b(['run', '--rm', '-w', '/work', 'tool', 'env', 'PWD'])).stdout).toBe('/work\n');
    const r = await b(['run', '--rm', '--entrypoint', '/tool.wasm', 'tool', 'echo', 'a', '--not-a-flag']);
    expect(r).toMatchObject({ code: 0, stdout: 'a\n--not-a-flag\n' });
  });

  it('attaches stdin with -i, and only then', async () => {
    const input = 'line one\n' + 'x'.repeat(100_000) + '\n';
    const r = await b(['run', '--rm', '-i', 'echo'], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(input);
    expect(r.stderr).toMatch(/^# stdin_echo bytes 100010 /);
    const without = await b(['run', '--rm', 'echo'], { stdin: input });
    expect(without.stdout).toBe('');
    expect(without.stderr).toMatch(/^# stdin_echo bytes 0 /);
  });

  it('accepts -t, -a and the combined -it', async () => {
    expect((await b(['run', '--rm', '-it', 'hello'], { stdin: '' })).stdout).toBe('hello\n');
    const onlyErr = await b(['run', '--rm', '-a', 'stderr', 'tool', 'echo', 'x']);
    expect(onlyErr).toMatchObject({ code: 0, stdout: '' });
    const bad = await b(['run', '--rm', '-a', 'stdweird', 'hello']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/valid streams are STDIN, STDOUT and STDERR/);
  });

  it('mounts named volumes and host directories', async () => {
    expect((await b(['run', '--rm', '-v', 'data:/data', 'tool', 'write', '/data/f.txt', 'kept'])).code).toBe(
      0,
    );
    expect((await b(['run', '--rm', '-v', 'data:/data:ro', 'tool', 'cat', '/data/f.txt'])).stdout).toBe(
      'kept',
    );
    const ro = await b(['run', '--rm', '-v', 'data:/data:ro', 'tool', 'write', '/data/g.txt', 'x']);
    expect(ro.code).toBe(1);
    expect(ro.stderr).toMatch(/Read-only file system/);

    const dir = join(host, 'bind');
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.txt'), 'from the host\n');
    expect((await b(['run', '--rm', '-v', `${dir}:/mnt`, 'tool', 'cat', '/mnt/in.txt'])).stdout).toBe(
      'from the host\n',
    );
    expect(
      (await b(['run', '--rm', '-v', `${dir}:/mnt`, 'tool', 'write', '/mnt/out.txt', 'guest'])).code,
    ).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('guest');
  });

  it('makes the root read-only with --read-only', async () => {
    const r = await b(['run', '--rm', '--read-only', 'tool', 'write', '/x.txt', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it('refuses -d honestly', async () => {
    const r = await b(['run', '-d', 'hello']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(
      'berth: -d needs the daemon, which is not there yet (run it in the foreground, or use another terminal)\n',
    );
  });
});

describe('exit statuses', () => {
  it('125: a bad flag, with the command help pointer', async () => {
    const r = await b(['run', '--frobnicate', 'hello']);
    expect(r).toMatchObject({
      code: 125,
      stdout: '',
      stderr: "unknown flag: --frobnicate\nSee 'berth run --help'.\n",
    });
    expect((await b(['ps', '--frobnicate'])).code).toBe(125);
    expect((await b(['run', '--memory', 'lots', 'hello'])).code).toBe(125);
  });

  it('125: an unknown image', async () => {
    const r = await b(['run', 'nosuch']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(
      /^Unable to find image 'nosuch:latest' locally\nberth: Error: No such image: nosuch:latest\./,
    );
    expect(r.stderr).toMatch(/\n\nRun 'berth run --help' for more information\n$/);
    expect((await b(['create', 'nosuch:v1'])).stderr).toMatch(/^Unable to find image 'nosuch:v1' locally\n/);
  });

  it('125: an unsupported platform or runtime', async () => {
    expect((await b(['run', '--rm', '--platform', 'linux/amd64', 'hello'])).code).toBe(125);
    expect((await b(['run', '--rm', '--runtime', 'runc', 'hello'])).code).toBe(125);
  });

  it('126: an entrypoint that is not a WASI module', async () => {
    const r = await b(['run', '--rm', 'notwasm']);
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^berth: Error: /);
    expect((await b(['run', '--rm', '--entrypoint', '/', 'hello'])).code).toBe(126);
  });

  it('127: an entrypoint that is not there', async () => {
    const r = await b(['run', '--rm', '--entrypoint', '/nope.wasm', 'hello']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/no such file or directory/);
    // --rm removed it even though it never started.
    expect((await b(['ps', '-a', '--format', '{{.Command}}'])).stdout).not.toMatch(/nope/);
  });

  it("the container's own, and 134 for a trap", async () => {
    expect((await b(['run', '--rm', 'tool', 'exit', '3'])).code).toBe(3);
    const trap = await b(['run', '--rm', 'tool', 'trap']);
    expect(trap.code).toBe(134);
    expect(trap.stderr).toMatch(/trap/);
  });
});

describe('lifecycle', () => {
  it('create prints the ID; start -a runs it; start prints the name', async () => {
    const c = await b(['create', '--name', 'made', 'tool', 'echo', 'created']);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await b(['ps', '-a', '--filter', 'status=created', '--format', '{{.Names}}'])).stdout).toMatch(
      /^made$/m,
    );
    expect(await b(['start', '-a', 'made'])).toMatchObject({ code: 0, stdout: 'created\n' });
    expect(await b(['start', 'made'])).toMatchObject({ code: 0, stdout: 'made\n' });
    expect((await b(['logs', 'made'])).stdout).toBe('created\ncreated\n');
  });

  it('refuses a name in use', async () => {
    const r = await b(['run', '--name', 'made', 'hello']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/already in use/);
  });

  it('renames, waits, restarts and removes', async () => {
    expect((await b(['rename', 'made', 'renamed'])).code).toBe(0);
    expect(await b(['wait', 'renamed'])).toMatchObject({ code: 0, stdout: '0\n' });
    expect(await b(['restart', 'renamed'])).toMatchObject({ code: 0, stdout: 'renamed\n' });
    expect((await b(['logs', 'renamed'])).stdout).toBe('created\ncreated\ncreated\n');
    expect(await b(['rm', 'renamed'])).toMatchObject({ code: 0, stdout: 'renamed\n' });
    const again = await b(['rm', 'renamed']);
    expect(again).toMatchObject({ code: 1, stderr: 'Error: No such container: renamed\n' });
    expect((await b(['rm', '-f', 'renamed'])).code).toBe(0);
  });

  it('shows logs with --tail and -t', async () => {
    await b(['run', '--name', 'talker', 'tool', 'echo', 'one', 'two', 'three']);
    expect((await b(['logs', 'talker'])).stdout).toBe('one\ntwo\nthree\n');
    expect((await b(['logs', '--tail', '1', 'talker'])).stdout).toBe('three\n');
    expect((await b(['logs', '-n', '2', 'talker'])).stdout).toBe('two\nthree\n');
    expect((await b(['logs', '-t', 'talker'])).stdout).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one\n/,
    );
    const err = await b(['run', '--rm', 'tool', 'cat', '/missing']);
    expect(err.stderr).toMatch(/cannot open \/missing/);
  });

  it('stops a container another process runs, and that process exits 137', async () => {
    const { done } = startBerth(state, ['run', '--name', 'ticker', 'tool', 'ticker', '600', '100']);
    let up = '';
    for (let i = 0; i < 100 && !up.includes('Up '); i++) {
      up = (await b(['ps', '--filter', 'name=ticker', '--format', '{{.Status}}'])).stdout;
    }
    expect(up).toMatch(/^Up /);
    expect((await b(['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toMatch(/^ticker running$/m);
    const stop = await b(['stop', '-t', '0', 'ticker']);
    expect(stop).toMatchObject({ code: 0, stdout: 'ticker\n' });
    const run = await done;
    expect(run.code).toBe(137);
    expect(run.stdout).toMatch(/^tick 0\n/);
    expect((await b(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'ticker'])).stdout).toBe(
      'exited 137\n',
    );
    expect((await b(['ps', '-a', '--filter', 'exited=137', '--format', '{{.Names}}'])).stdout).toBe(
      'ticker\n',
    );
  });

  it('kills a running container; kill of a stopped one fails', async () => {
    const { done } = startBerth(state, ['start', '-a', 'ticker']);
    let up = '';
    for (let i = 0; i < 100 && !up.includes('running'); i++) {
      up = (await b(['inspect', '-f', '{{.State.Status}}', 'ticker'])).stdout;
    }
    expect((await b(['kill', 'ticker'])).code).toBe(0);
    expect((await done).code).toBe(137);
    const again = await b(['kill', 'ticker']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not running/);
  });
});

describe('inspect, diff, commit, cp, export', () => {
  it('inspects containers as a Docker-shaped JSON array', async () => {
    await b(['run', '--name', 'writer', '-l', 'team=wasm', 'tool', 'write', '/out.txt', 'written']);
    const r = await b(['inspect', 'writer']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[\n {4}\{\n {8}"Id": "[0-9a-f]{64}",/);
    const inspected: unknown = JSON.parse(r.stdout);
    expect(inspected).toHaveLength(1);
    expect(inspected).toMatchObject([
      {
        Name: '/writer',
        Path: '/tool.wasm',
        Args: ['write', '/out.txt', 'written'],
        State: { Status: 'exited', ExitCode: 0, Running: false },
        Config: { Image: 'tool', Labels: { team: 'wasm', 'org.example.kind': 'tool' } },
      },
    ]);
    const f = await b([
      'inspect',
      '--format',
      '{{.Name}} {{index .Config.Labels "team"}} {{json .Args}}',
      'writer',
    ]);
    expect(f.stdout).toBe('/writer wasm ["write","/out.txt","written"]\n');
    expect((await b(['container', 'inspect', '-f', '{{.State.ExitCode}}', 'writer'])).stdout).toBe('0\n');
  });

  it('reports what inspect cannot find, after what it found', async () => {
    const r = await b(['inspect', '-f', '{{.Name}}', 'writer', 'nosuch']);
    expect(r).toMatchObject({ code: 1, stdout: '/writer\n', stderr: 'Error: No such object: nosuch\n' });
    const img = await b(['inspect', '--type', 'image', '-f', '{{.Config.Entrypoint}}', 'tool']);
    expect(img.stdout).toBe('[/tool.wasm]\n');
  });

  it('diffs, commits and runs the committed image', async () => {
    expect((await b(['diff', 'writer'])).stdout).toBe('A /out.txt\n');
    const c = await b(['commit', '-m', 'wrote a file', '-a', 'Tester', '-c', 'CMD ["cat","/out.txt"]', 'writer', 'written:v1']); // prettier-ignore
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await b(['run', '--rm', 'written:v1'])).toMatchObject({ code: 0, stdout: 'written' });
    const history = await b(['history', 'written:v1']);
    expect(rows(history.stdout)[0]).toMatch(
      /^[0-9a-f]{12} +.* ago +\/tool\.wasm write \/out\.txt written +\d.*B +wrote a file$/,
    );
    expect((await b(['image', 'inspect', '-f', '{{.Author}} {{.Config.Cmd}}', 'written:v1'])).stdout).toBe('Tester [cat /out.txt]\n'); // prettier-ignore
  });

  it('copies files both ways, and exports the filesystem', async () => {
    const dest = join(host, 'copied');
    mkdirSync(dest);
    expect((await b(['cp', 'writer:/out.txt', dest])).code).toBe(0);
    expect(readFileSync(join(dest, 'out.txt'), 'utf8')).toBe('written');
    writeFileSync(join(host, 'up.txt'), 'uploaded');
    expect((await b(['cp', join(host, 'up.txt'), 'writer:/up.txt'])).code).toBe(0);
    expect((await b(['diff', 'writer'])).stdout).toBe('A /out.txt\nA /up.txt\n');
    expect((await b(['start', '-a', 'writer'])).code).toBe(0);

    const tar = await b(['cp', 'writer:/up.txt', '-']);
    expect(tar.out.subarray(0, 6).toString()).toBe('up.txt');
    expect(tar.out.length % 512).toBe(0);

    const file = join(host, 'fs.tar');
    expect((await b(['export', '-o', file, 'writer'])).code).toBe(0);
    const names = readFileSync(file).toString('latin1');
    for (const n of ['tool.wasm', 'out.txt', 'up.txt', 'etc/motd']) expect(names).toContain(n);
    const piped = await b(['export', 'writer']);
    expect(piped.out.length).toBeGreaterThan(1024);
    const bad = await b(['cp', 'a:/x', 'b:/y']);
    expect(bad).toMatchObject({ code: 1, stderr: 'berth: copying between containers is not supported\n' });
  });
});

describe('ps', () => {
  it('filters, formats, quiets and does not truncate when asked', async () => {
    const q = await b(['ps', '-aq']);
    expect(
      q.stdout
        .trim()
        .split('\n')
        .every((l) => /^[0-9a-f]{12}$/.test(l)),
    ).toBe(true);
    const full = await b(['ps', '-a', '--no-trunc', '-q', '--filter', 'name=writer']);
    expect(full.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const json = await b(['ps', '-a', '--filter', 'name=writer', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ Names: 'writer', Image: 'tool', State: 'exited', Labels: expect.stringContaining('team=wasm') }); // prettier-ignore
    const table = await b([
      'ps',
      '-a',
      '--filter',
      'label=team=wasm',
      '--format',
      'table {{.Names}}\\t{{.Label "team"}}',
    ]);
    expect(table.stdout).toBe('NAMES     LABEL\nwriter    wasm\n');
    const last = await b(['ps', '-l', '--format', '{{.Names}}']);
    expect(last.stdout.trim().split('\n')).toHaveLength(1);
    const bad = await b(['ps', '--filter', 'colour=red']);
    expect(bad).toMatchObject({ code: 1, stderr: "Error: invalid filter 'colour'\n" });
    const tmpl = await b(['ps', '--format', '{{.Nope}}']);
    expect(tmpl.code).toBe(0); // no rows, nothing to evaluate
    const tmplBad = await b(['ps', '-a', '--format', '{{.Nope}}']);
    expect(tmplBad.code).toBe(1);
    expect(tmplBad.stderr).toMatch(/can't evaluate field Nope/);
    const unclosed = await b(['ps', '-a', '--format', '{{.ID']);
    expect(unclosed.stderr).toMatch(/^template parsing error: template: :1: unclosed action/);
  });

  it('prunes stopped containers', async () => {
    const no = await b(['container', 'prune'], { stdin: 'n\n' });
    expect(no.stdout).toMatch(
      /^WARNING! This will remove all stopped containers\.\nAre you sure you want to continue\? \[y\/N\] /,
    );
    expect(rows((await b(['ps', '-a'])).stdout).length).toBeGreaterThan(0);
    const r = await b(['container', 'prune', '-f']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Deleted Containers:\n([0-9a-f]{64}\n)+\nTotal reclaimed space: .*B\n$/);
    expect((await b(['ps', '-aq'])).stdout).toBe('');
    expect(existsSync(state)).toBe(true);
  });
});
