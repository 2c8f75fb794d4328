import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import { guestEnv, mergeEnv } from '../../src/engine/command';
import { exitOf } from '../../src/engine/Engine';
import { EngineError } from '../../src/engine/errors';
import { LogCapture, logTime, MAX_LINE, tailEntries } from '../../src/engine/logs';
import { MemoryLogStore } from '../../src/engine/memoryStores';
import { checkName, randomName } from '../../src/engine/names';
import { decodeTree, encodeTree, isEmptyTree } from '../../src/engine/treeCodec';
import { humanDuration } from '../../src/engine/views';

describe('treeCodec', () => {
  it('should round-trip a tree with hard links, symlinks, whiteouts and exact times', () => {
    const fs = MemoryFileSystem.fromJSON({ '/a/b.txt': 'bee', '/a/.wh.gone': '', '/empty/': null });
    const a = fs.lookup(fs.root(), 'a') as object;
    const b = fs.lookup(a, 'b.txt') as object;
    fs.link(b, fs.root(), 'hard');
    fs.symlink(fs.root(), 'link', '/a/b.txt');
    fs.setTimes(b, 123456789012345678n, 987654321098765432n);
    const snapshot = fs.snapshot();
    const decoded = decodeTree(encodeTree(snapshot));
    expect(decoded).toEqual(snapshot);
    const back = MemoryFileSystem.fromSnapshot(decoded);
    expect(back.stat(back.lookup(back.root(), 'hard') as object).nlink).toBe(2);
    expect(isEmptyTree(new MemoryFileSystem().snapshot())).toBe(true);
  });

  it('should refuse bytes that are not a tree', () => {
    expect(() => decodeTree(new Uint8Array([1, 2, 3]))).toThrow(EngineError);
    const good = encodeTree(new MemoryFileSystem().snapshot());
    expect(() => decodeTree(good.subarray(0, good.length - 5))).toThrow(/truncated|cannot read/);
  });
});

describe('Docker formats', () => {
  it("should print durations as go-units' HumanDuration", () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(45_000)).toBe('45 seconds');
    expect(humanDuration(90_000)).toBe('About a minute');
    expect(humanDuration(30 * 60_000)).toBe('30 minutes');
    expect(humanDuration(3_600_000)).toBe('About an hour');
    expect(humanDuration(5 * 3_600_000)).toBe('5 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
    expect(humanDuration(20 * 86_400_000)).toBe('2 weeks');
    expect(humanDuration(90 * 86_400_000)).toBe('3 months');
    expect(humanDuration(800 * 86_400_000)).toBe('2 years');
  });

  it('should make and check names as Docker does', () => {
    let i = 0;
    const seq = [0, 0, 3, 1, 7];
    expect(randomName(() => seq[i++ % seq.length]!)).toBe('admiring_agnesi');
    expect(randomName(() => 3, 1)).toMatch(/^[a-z]+_[a-z]+3$/);
    expect(checkName('/web-1')).toBe('web-1');
    expect(() => checkName('a')).toThrow(/invalid container name/);
    expect(() => checkName('-x')).toThrow(EngineError);
  });

  it('should merge env by key and add PATH, HOSTNAME, PWD, HOME, and TERM with a terminal', () => {
    expect(mergeEnv(['A=1', 'B=2'], ['A=3', 'C=4'], ['B'])).toEqual(['A=3', 'C=4']);
    const env = guestEnv(['A=1'], 'abc', '/work');
    expect(env[0]).toMatch(/^PATH=\/usr\/local\/sbin/);
    expect(env).toContain('HOSTNAME=abc');
    expect(env).toContain('PWD=/work');
    expect(env).toContain('HOME=/root');
    expect(env.some((e) => e.startsWith('TERM='))).toBe(false);
    expect(guestEnv(['HOME=/home/app'], 'abc', '/', true)).toEqual(
      expect.arrayContaining(['HOME=/home/app', 'TERM=xterm']),
    );
    expect(guestEnv(['HOME=/home/app'], 'abc', '/', true)).not.toContain('HOME=/root');
  });

  it('should map how a run ended to exit statuses', () => {
    expect(exitOf({ exitCode: 3, reason: 'exit' }).statusCode).toBe(3);
    expect(exitOf({ exitCode: null, reason: 'trap' }).statusCode).toBe(134);
    expect(exitOf({ exitCode: null, reason: 'oom' })).toMatchObject({ statusCode: 137, oomKilled: true });
    expect(exitOf({ exitCode: null, reason: 'killed' }).statusCode).toBe(137);
    expect(exitOf({ exitCode: null, reason: 'error' }).statusCode).toBe(125);
    expect(new EngineError('not-found', 'x').exitCode).toBe(127);
    expect(new EngineError('not-executable', 'x').exitCode).toBe(126);
    expect(new EngineError('conflict', 'x').exitCode).toBe(125);
  });
});

describe('LogCapture', () => {
  it('should record one entry per line, split long lines, and keep the unfinished one for close', async () => {
    const store = new MemoryLogStore();
    const enc = new TextEncoder();
    let stored = 0;
    const capture = new LogCapture(
      'c',
      store,
      { now: () => new Date('2026-01-02T03:04:05.678Z') },
      () => stored++,
    );
    capture.push('stdout', enc.encode('one\ntw'));
    capture.push('stdout', enc.encode('o\nthr'));
    capture.push('stderr', enc.encode('err\n'));
    capture.push('stdout', new Uint8Array(MAX_LINE + 10).fill(0x61));
    await capture.close();
    const { entries } = await store.read('c');
    const dec = new TextDecoder();
    expect(entries.map((e) => [e.stream, dec.decode(e.data).slice(0, 6)])).toEqual([
      ['stdout', 'one\n'],
      ['stdout', 'two\n'],
      ['stderr', 'err\n'],
      ['stdout', 'thraaa'],
      ['stdout', 'aaaaaa'],
    ]);
    expect(entries[3]!.data.length).toBe(MAX_LINE);
    expect(entries[0]!.time).toBe('2026-01-02T03:04:05.678000000Z');
    expect(logTime(new Date(0))).toBe('1970-01-01T00:00:00.000000000Z');
    expect(stored).toBeGreaterThan(0);
    expect(tailEntries(entries, 2)).toEqual(entries.slice(-2));
    expect(tailEntries(entries, 'all')).toHaveLength(5);
  });
});
