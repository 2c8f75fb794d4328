/**
 * The playground's own models, in Node: the layer attribution behind the file browser (which layer each
 * path comes from, after whiteouts and opaque directories), the workspace as a build context (the same
 * entries, order, modes and bytes as the CLI's context for the same directory).
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../playground/src/layers';
import { Workspace } from '../../playground/src/workspace';
import type { LayerEntry } from '../../src/layer';
import { hostBuildContext } from '../../src/node/buildContext';

const repo = resolve(import.meta.dirname, '..', '..');
const bytes = (s: string) => new TextEncoder().encode(s);
const file = (path: string, text: string): LayerEntry => ({
  path,
  type: 'file',
  mode: 0o644,
  mtim: 0n,
  data: bytes(text),
});
const dir = (path: string): LayerEntry => ({ path, type: 'dir', mode: 0o755, mtim: 0n });
const mark = (path: string, type: 'whiteout' | 'opaque'): LayerEntry => ({ path, type, mode: 0, mtim: 0n });

describe('mergeLayers', () => {
  const layers: LayerEntry[][] = [
    [dir('/etc'), file('/etc/motd', 'base'), file('/etc/hosts', 'h'), dir('/var'), dir('/var/cache'), file('/var/cache/a', 'a'), file('/bin', 'x')], // prettier-ignore
    [dir('/etc'), file('/etc/motd', 'app'), mark('/etc/.wh.hosts', 'whiteout'), mark('/var/cache/.wh..wh..opq', 'opaque'), file('/var/cache/b', 'b')], // prettier-ignore
    [mark('/.wh.bin', 'whiteout'), dir('/bin'), file('/bin/ls', 'ls')],
  ];
  const rows = mergeLayers(layers);
  const origin = (p: string) => rows.get(p)?.origin;

  it('gives each path the topmost layer that has it', () => {
    expect(origin('/etc/motd')).toBe(1);
    expect(new TextDecoder().decode(rows.get('/etc/motd')!.data)).toBe('app');
    expect(origin('/etc')).toBe(1);
    expect(origin('/var')).toBe(0);
  });

  it('drops what a whiteout or an opaque directory hides, keeping what the same layer adds', () => {
    expect(rows.has('/etc/hosts')).toBe(false);
    expect(rows.has('/var/cache/a')).toBe(false);
    expect(origin('/var/cache/b')).toBe(1);
    expect(origin('/var/cache')).toBe(0);
    // A file replaced by a directory of the same name.
    expect(rows.get('/bin')!.type).toBe('dir');
    expect(origin('/bin/ls')).toBe(2);
    expect([...rows.keys()].some((p) => p.includes('.wh.'))).toBe(false);
  });
});

/** images/NAME into a workspace, as the page loads it from examples.json. */
function workspaceOf(dirPath: string, at: string): Workspace {
  const ws = new Workspace();
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const st = lstatSync(full);
      const path = `${at}/${rel}${name}`;
      if (st.isSymbolicLink()) ws.symlink(path, readlinkSync(full), Math.floor(st.mtimeMs));
      else if (st.isDirectory()) {
        ws.mkdir(path, st.mode & 0o7777, Math.floor(st.mtimeMs));
        walk(full, `${rel}${name}/`);
      } else ws.writeFile(path, new Uint8Array(readFileSync(full)), st.mode & 0o7777, Math.floor(st.mtimeMs));
    }
  };
  walk(dirPath, '');
  return ws;
}

describe('Workspace.context', () => {
  it.each(['box', 'hello'])(
    'lists images/%s as the CLI does, and serves the same bytes and links',
    async (name) => {
      const onDisk = await hostBuildContext(join(repo, 'images', name));
      const inTab = workspaceOf(join(repo, 'images', name), `/work/${name}`).context(`/work/${name}`);
      const [a, b] = [await onDisk.list(), await inTab.list()];
      expect(b).toEqual(a);
      for (const e of a) {
        // Buffer.equals: a deep equal of a 300 KB module byte by byte takes seconds.
        if (e.type === 'file') expect(Buffer.from(await inTab.readFile(e.path)).equals(Buffer.from(await onDisk.readFile(e.path))), e.path).toBe(true); // prettier-ignore
        if (e.type === 'symlink') expect(await inTab.readlink(e.path)).toBe(await onDisk.readlink(e.path));
      }
    },
  );

  it('refuses a missing directory and a missing file with ENOENT', async () => {
    const ws = new Workspace();
    ws.writeFile('/work/a/Dockerfile', 'FROM scratch\n');
    expect(() => ws.context('/work/b')).toThrow(/no such file or directory/);
    await expect(ws.context('/work/a').readFile('nope')).rejects.toMatchObject({ code: 'ENOENT' });
    // '..' cannot climb out of the context.
    ws.writeFile('/work/secret', 'x');
    await expect(ws.context('/work/a').readFile('../secret')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
