/**
 * box.wasm against the host's GNU tools: every case runs `box APPLET ARGS` in-process (runInThreadSync
 * over a host directory mounted at /data, box's working directory) and `APPLET ARGS` on the host with
 * cwd at that directory, LC_ALL=C and TZ=UTC, and compares stdout and the exit status (stderr too where
 * a case says so; the trees left behind for commands that change files). A few runs go through the real
 * CLI. Differences GNU documents as locale-, terminal- or filesystem-order-dependent are not compared;
 * the ones box has by design are listed in images/box/README.md.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/build/dockerfile';
import {
  BERTH,
  BOX_WASM,
  hostHas,
  makeFixture,
  removeTree,
  ROOT,
  runBox,
  runGnu,
  runGuest,
  snapshot,
  type Output,
} from './harness';

interface Case {
  /** The applet and its arguments, the same on both sides. */
  args: string[];
  stdin?: string;
  /** Environment for both sides; {{DIR}} reads the host directory on the host and /data in box. */
  env?: Record<string, string>;
  /** Runs on fresh copies of the fixture and compares the trees afterwards. */
  rw?: boolean;
  /** Also compare these files' modification times (seconds) after an rw case. */
  times?: string[];
  /** Compare stdout lines as sorted sets: GNU documents the order as the directory's, unspecified. */
  sort?: boolean;
  /** Compare stderr too. */
  stderr?: boolean;
  /** Needs this host command (skipped when the host lacks it). */
  needs?: string;
}

const c = (args: string[], opts: Omit<Case, 'args'> = {}): Case => ({ args, ...opts });

const CASES: Record<string, Case[]> = {
  cat: [
    c(['cat', 'a.txt']),
    c(['cat', '-n', 'b.txt']),
    c(['cat', '-b', 'b.txt']),
    c(['cat', '-s', 'b.txt']),
    c(['cat', '-A', 'tabs.txt']),
    c(['cat', '-v', 'bin.dat']),
    c(['cat', '-E', 'crlf.txt']),
    c(['cat', '-T', 'tabs.txt']),
    c(['cat', '-n', 'a.txt', 'nonl.txt', 'b.txt']),
    c(['cat', 'a.txt', '-', 'nonl.txt'], { stdin: 'from stdin\n' }),
    c(['cat', 'missing', 'a.txt'], { stderr: true }),
    c(['cat', 'dir'], { stderr: true }),
  ],
  echo: [
    c(['echo', 'hello', 'world']),
    c(['echo', '-n', 'no newline']),
    c(['echo', '-e', 'a\\tb\\nc\\\\d']),
    c(['echo', '-e', '\\x41\\0102\\c', 'never']),
    c(['echo', '-E', 'a\\tb']),
    c(['echo', '-x', 'not an option']),
    c(['echo', '--', 'a']),
    c(['echo']),
    c(['echo', '-ne', 'x\\ty']),
  ],
  printf: [
    c(['printf', '%s-%d\\n', 'a', '1', 'b', '2']),
    c(['printf', '%5.2f|%-5s|%05d\\n', '3.14159', 'ab', '42']),
    c(['printf', '%x %o %X %e\\n', '255', '8', '3054', '12345.678']),
    c(['printf', '%b\\n', 'a\\tb\\0101']),
    c(['printf', '%c%c\\n', 'hello', 'world']),
    c(['printf', '%d\\n', 'abc'], { stderr: true }),
    c(['printf', '%d %d\\n', "'A", '0x1f']),
    c(['printf', '\\101\\x42\\n']),
    c(['printf', '%s|%s\\n', 'only']),
    c(['printf', '%%|%10s|%-3d|\\n', 'r', '7']),
    c(['printf', '%i %u\\n', '-5', '-1']),
    c(['printf', '%.3s|%*d|\\n', 'abcdef', '6', '42']),
    c(['printf', 'no newline']),
    c(['printf', '%g %g\\n', '0.0001', '123456789']),
    c(['printf', '%q %q %q\\n', 'a b', 'plain', "it's"]),
  ],
  ls: [
    c(['ls']),
    c(['ls', '-a', 'dir']),
    c(['ls', '-A', 'dir']),
    c(['ls', '-l']),
    c(['ls', '-la', 'dir']),
    c(['ls', '-lh', 'dir/sub/deep']),
    c(['ls', '-R', 'dir']),
    c(['ls', '-lR', 'dir']),
    c(['ls', '-1', 'dir', 'a.txt', 'emptydir']),
    c(['ls', 'missing', 'a.txt'], { stderr: true }),
    c(['ls', '-d', 'dir', 'emptydir']),
    c(['ls', '-F']),
    c(['ls', '-p', 'dir']),
    c(['ls', '-r']),
    c(['ls', '-S']),
    c(['ls', '-t']),
    c(['ls', '-lt', 'dir']),
    c(['ls', '-C'], { env: { COLUMNS: '40' } }),
    c(['ls', '-C', 'dir', 'bin'], { env: { COLUMNS: '30' } }),
    c(['ls', '-x'], { env: { COLUMNS: '50' } }),
    c(['ls', '-m']),
    c(['ls', '-l', 'link', 'dlink', 'dangling']),
    c(['ls', 'dlink']),
    c(['ls', '-ln', 'dir']),
    c(['ls', '-s', 'dir/sub/deep']),
    c(['ls', '-i', 'dir']),
    c(['ls', '-lS', 'dir/sub/deep', 'bin']),
    c(['ls', 'emptydir']),
    c(['ls', '-lL', 'link', 'dlink']),
  ],
  mkdir: [
    c(['mkdir', 'new'], { rw: true }),
    c(['mkdir', '-p', 'x/y/z'], { rw: true }),
    c(['mkdir', '-v', 'n1', 'n2'], { rw: true }),
    c(['mkdir', 'a.txt'], { rw: true, stderr: true }),
    c(['mkdir', 'dir'], { rw: true, stderr: true }),
    c(['mkdir', '-p', 'dir/sub', 'dir/new'], { rw: true }),
    c(['mkdir', '-pv', 'q/r'], { rw: true }),
    c(['mkdir', 'no/parent'], { rw: true, stderr: true }),
    c(['mkdir'], { stderr: true }),
    c(['mkdir', '-p', 'a.txt/x'], { rw: true, stderr: true }),
  ],
  rmdir: [
    c(['rmdir', 'emptydir'], { rw: true }),
    c(['rmdir', 'dir'], { rw: true, stderr: true }),
    c(['rmdir', 'missing'], { rw: true, stderr: true }),
    c(['rmdir', '-v', 'emptydir'], { rw: true }),
    c(['rmdir', '--ignore-fail-on-non-empty', 'dir'], { rw: true }),
    c(['rmdir', 'a.txt'], { rw: true, stderr: true }),
  ],
  rm: [
    c(['rm', 'a.txt'], { rw: true }),
    c(['rm', 'missing'], { rw: true, stderr: true }),
    c(['rm', '-f', 'missing', 'b.txt'], { rw: true }),
    c(['rm', 'dir'], { rw: true, stderr: true }),
    c(['rm', '-r', 'dir'], { rw: true }),
    c(['rm', '-rf', 'dir', 'missing', 'dlink'], { rw: true }),
    c(['rm', '-v', 'a.txt', 'b.txt'], { rw: true }),
    c(['rm', 'link', 'dangling'], { rw: true }),
    c(['rm', '-d', 'emptydir'], { rw: true }),
    c(['rm', '-r', '.'], { rw: true, stderr: true }),
    c(['rm'], { stderr: true }),
  ],
  cp: [
    c(['cp', 'a.txt', 'c.txt'], { rw: true }),
    c(['cp', 'a.txt', 'b.txt', 'dir'], { rw: true }),
    c(['cp', 'dir', 'x'], { rw: true, stderr: true }),
    c(['cp', '-r', 'dir', 'x'], { rw: true }),
    c(['cp', '-r', 'dir', 'emptydir'], { rw: true }),
    c(['cp', 'missing', 'x'], { rw: true, stderr: true }),
    c(['cp', 'link', 'copy'], { rw: true }),
    c(['cp', '-r', 'dlink', 'x'], { rw: true }),
    c(['cp', '-v', 'a.txt', 'v.txt'], { rw: true }),
    c(['cp', '-n', 'a.txt', 'b.txt'], { rw: true }),
    c(['cp', 'a.txt'], { rw: true, stderr: true }),
    c(['cp', 'a.txt', 'a.txt'], { rw: true, stderr: true }),
    c(['cp', '-a', 'dir', 'arch'], { rw: true, times: ['arch/one.txt', 'arch/sub/three.txt'] }),
    c(['cp', '-p', 'b.txt', 'p.txt'], { rw: true, times: ['p.txt'] }),
    c(['cp', 'a.txt', 'b.txt', 'nodir'], { rw: true, stderr: true }),
  ],
  mv: [
    c(['mv', 'a.txt', 'z.txt'], { rw: true }),
    c(['mv', 'a.txt', 'dir'], { rw: true }),
    c(['mv', 'dir', 'newdir'], { rw: true }),
    c(['mv', 'missing', 'x'], { rw: true, stderr: true }),
    c(['mv', 'dir', 'dir/sub'], { rw: true, stderr: true }),
    c(['mv', '-v', 'b.txt', 'c.txt'], { rw: true }),
    c(['mv', 'a.txt', 'b.txt', 'emptydir'], { rw: true }),
    c(['mv', '-n', 'a.txt', 'b.txt'], { rw: true }),
    c(['mv', 'emptydir', 'a.txt'], { rw: true, stderr: true }),
    c(['mv', 'b.txt', 'dir/sub/deep/'], { rw: true, times: ['dir/sub/deep/b.txt'] }),
  ],
  ln: [
    c(['ln', '-s', 'a.txt', 's1'], { rw: true }),
    c(['ln', 'a.txt', 'h1'], { rw: true }),
    c(['ln', '-s', 'a.txt', 'b.txt'], { rw: true, stderr: true }),
    c(['ln', '-sf', 'a.txt', 'b.txt'], { rw: true }),
    c(['ln', '-s', 'a.txt', 'dir'], { rw: true }),
    c(['ln', 'missing', 'x'], { rw: true, stderr: true }),
    c(['ln', '-sv', 'target', 'name'], { rw: true }),
    c(['ln', '-sfn', 'emptydir', 'dlink'], { rw: true }),
    c(['ln', '-s', '../a.txt', 'b.txt', 'emptydir'], { rw: true }),
  ],
  touch: [
    c(['touch', 'new.txt'], { rw: true }),
    c(['touch', '-c', 'nope'], { rw: true }),
    c(['touch', '-t', '202001020304.05', 'a.txt'], { rw: true, times: ['a.txt'] }),
    c(['touch', '-d', '2021-05-06 07:08:09', 'a.txt', 'new'], { rw: true, times: ['a.txt', 'new'] }),
    c(['touch', '-r', 'b.txt', 'a.txt'], { rw: true, times: ['a.txt'] }),
    c(['touch', '-m', '-t', '201001010000', 'fresh'], { rw: true, times: ['fresh'] }),
    c(['touch', 'no/such/file'], { rw: true, stderr: true }),
    c(['touch', '-d', '@1000000000', 'dir'], { rw: true, times: ['dir'] }),
  ],
  pwd: [c(['pwd']), c(['pwd', '-P']), c(['pwd', '-L']), c(['pwd', '--physical'])],
  env: [
    c(['env', '-i', 'A=1', 'B=two words']),
    c(['env', '-i', 'FOO=bar', 'echo', 'hi']),
    c(['env', '-i', 'Z=1', 'env']),
    c(['env', '-i', 'A=1', 'B=2', 'env', '-u', 'A']),
    c(['env', '-i', 'nosuchcmd'], { stderr: true }),
    c(['env', '-i', 'X=1', '-u', 'X']),
  ],
  head: [
    c(['head', 'big.txt']),
    c(['head', '-n', '3', 'a.txt']),
    c(['head', '-n', '-2', 'a.txt']),
    c(['head', '-c', '10', 'b.txt']),
    c(['head', '-c', '-5', 'a.txt']),
    c(['head', '-n', '2', 'a.txt', 'b.txt']),
    c(['head', '-3', 'big.txt']),
    c(['head', 'missing', 'a.txt'], { stderr: true }),
    c(['head', '-q', '-n1', 'a.txt', 'b.txt']),
    c(['head', '-v', '-n1', 'a.txt']),
    c(['head', '-n', '1', 'nonl.txt']),
    c(['head', '-n', '-1', 'nonl.txt']),
    c(['head', '-c', '2K', 'big.txt']),
    c(['head', '-n', '2'], { stdin: 'x\ny\nz\n' }),
  ],
  tail: [
    c(['tail', 'big.txt']),
    c(['tail', '-n', '2', 'a.txt']),
    c(['tail', '-n', '+3', 'a.txt']),
    c(['tail', '-c', '5', 'a.txt']),
    c(['tail', '-c', '+3', 'a.txt']),
    c(['tail', '-n', '1', 'nonl.txt']),
    c(['tail', '-n', '2', 'a.txt', 'b.txt']),
    c(['tail', 'missing'], { stderr: true }),
    c(['tail', '-n', '0', 'a.txt']),
    c(['tail', '-n', '1'], { stdin: 'x\ny\n' }),
    c(['tail', '-3', 'big.txt']),
    c(['tail', '-n', '+299', 'big.txt']),
  ],
  wc: [
    c(['wc', 'a.txt']),
    c(['wc', '-l', 'a.txt']),
    c(['wc', '-w', 'b.txt']),
    c(['wc', '-c', 'bin.dat']),
    c(['wc', 'a.txt', 'b.txt']),
    c(['wc'], { stdin: 'one two\nthree\n' }),
    c(['wc', '-l'], { stdin: 'one two\nthree\n' }),
    c(['wc', '-L', 'tabs.txt', 'b.txt']),
    c(['wc', 'missing', 'a.txt'], { stderr: true }),
    c(['wc', '-lw', 'nonl.txt']),
    c(['wc', 'bin.dat']),
    c(['wc', '-m', 'b.txt']),
    c(['wc', '-c', 'a.txt', 'big.txt']),
  ],
  sort: [
    c(['sort', 'a.txt']),
    c(['sort', '-r', 'words.txt']),
    c(['sort', '-u', 'words.txt']),
    c(['sort', '-n', 'nums.txt']),
    c(['sort', '-rn', 'nums.txt']),
    c(['sort', '-t,', '-k2,2n', 'table.csv']),
    c(['sort', '-k2', 'fields.txt']),
    c(['sort', '-k2n', '-k1,1', 'fields.txt']),
    c(['sort', '-f', 'words.txt']),
    c(['sort', '-uf', 'words.txt']),
    c(['sort', '-b', '-k1,1', 'fields.txt']),
    c(['sort', '-t,', '-k3', 'table.csv']),
    c(['sort', '-k1.2', 'fields.txt']),
    c(['sort', '-c', 'a.txt'], { stderr: true }),
    c(['sort', '-c', 'words.txt', '-u']),
    c(['sort', '-g', 'nums.txt']),
    c(['sort', 'missing']),
    c(['sort', '-s', '-k2,2', 'fields.txt']),
    c(['sort', '-h'], { stdin: '1K\n2M\n512\n3G\n10K\n' }),
    c(['sort', '-nu', 'fields.txt', '-k2']),
    c(['sort', 'a.txt', 'words.txt']),
    c(['sort', '-t', ',', '-k2,2', '-k1,1r', 'table.csv']),
    c(['sort', '-k', '3,3', '-k', '2,2n', 'fields.txt']),
    c(['sort', '-M'], { stdin: 'b\nfeb\nJan x\nDEC\nmar\n' }),
  ],
  uniq: [
    c(['uniq', 'words.txt']),
    c(['uniq', '-c', 'words.txt']),
    c(['uniq', '-d', 'words.txt']),
    c(['uniq', '-u', 'words.txt']),
    c(['uniq', '-i', 'words.txt']),
    c(['uniq', '-ci', 'words.txt']),
    c(['uniq'], { stdin: 'a\na\nb\na\n' }),
    c(['uniq', '-f', '1', 'fields.txt']),
    c(['uniq', '-s', '1', 'words.txt']),
    c(['uniq', '-w', '2', 'words.txt']),
    c(['uniq', '-D', 'words.txt']),
  ],
  grep: [
    c(['grep', 'apple', 'a.txt']),
    c(['grep', '-i', 'foo', 'b.txt']),
    c(['grep', '-v', 'apple', 'a.txt']),
    c(['grep', '-n', 'the', 'b.txt']),
    c(['grep', '-c', 'apple', 'a.txt']),
    c(['grep', '-c', 'apple', 'a.txt', 'b.txt']),
    c(['grep', '-r', 'apple', 'dir'], { sort: true }),
    c(['grep', '-rl', 'e', '.'], { sort: true }),
    c(['grep', '-rn', 'one'], { sort: true }),
    c(['grep', '-E', 'ap+le|cherry', 'a.txt']),
    c(['grep', 'nomatch', 'a.txt']),
    c(['grep', 'x', 'missing'], { stderr: true }),
    c(['grep', '-s', 'x', 'missing']),
    c(['grep', '-l', 'apple', 'a.txt', 'b.txt', 'dir/sub/three.txt']),
    c(['grep', '-L', 'apple', 'a.txt', 'b.txt', 'dir/sub/three.txt']),
    c(['grep', '-w', 'foo', 'b.txt']),
    c(['grep', '-x', 'apple', 'a.txt']),
    c(['grep', '-o', '[0-9]\\+', 'b.txt']),
    c(['grep', '-F', 'a.', 'b.txt']),
    c(['grep', '-e', 'fox', '-e', 'dog', 'b.txt']),
    c(['grep', '-h', 'apple', 'a.txt', 'dir/sub/three.txt']),
    c(['grep', '-q', 'apple', 'a.txt']),
    c(['grep', '-A1', 'banana', 'a.txt']),
    c(['grep', '-B1', '-n', 'cherry', 'a.txt']),
    c(['grep', '-C1', 'o', 'big.txt', 'a.txt']),
    c(['grep', '-m1', 'apple', 'a.txt']),
    c(['grep', 'app'], { stdin: 'apple\npear\napp\n' }),
    c(['grep', 'abc', 'bin.dat']),
    c(['grep', 'x', 'dir'], { stderr: true }),
    c(['grep', '-E', '(a|b)+n', 'a.txt']),
    c(['grep', '-c', '^$', 'b.txt']),
    c(['grep', '-in', 'BAR', 'b.txt']),
    c(['grep', 'line 1[0-2]$', 'big.txt']),
    c(['grep', '-H', 'fox', 'b.txt']),
    c(['grep', '-ow', 'o[a-z]*', 'b.txt']),
  ],
  sed: [
    c(['sed', 's/apple/APPLE/', 'a.txt']),
    c(['sed', 's/a/A/g', 'a.txt']),
    c(['sed', '-n', '2p', 'a.txt']),
    c(['sed', '2d', 'a.txt']),
    c(['sed', '$d', 'a.txt']),
    c(['sed', '/an/d', 'a.txt']),
    c(['sed', '-n', '/apple/p', 'a.txt']),
    c(['sed', 's/\\(b\\)\\(a\\)/\\2\\1/g', 'a.txt']),
    c(['sed', 's/[aeiou]/<&>/2', 'a.txt']),
    c(['sed', '-E', 's/(p+)/[\\1]/', 'a.txt']),
    c(['sed', '2,3s/^/> /', 'a.txt']),
    c(['sed', '/banana/,/cherry/d', 'a.txt']),
    c(['sed', '-n', '$=', 'big.txt']),
    c(['sed', 'y/abc/xyz/', 'a.txt']),
    c(['sed', '1i header', 'a.txt']),
    c(['sed', '$a footer', 'a.txt']),
    c(['sed', '2q', 'a.txt']),
    c(['sed', '-e', 's/a/b/', '-e', 's/b/c/', 'a.txt']),
    c(['sed', '-n', 'p', 'nonl.txt']),
    c(['sed', 'p', 'nonl.txt']),
    c(['sed', 's/x*/-/g', 'a.txt']),
    c(['sed', 's/a*/x/g'], { stdin: 'baaac\n' }),
    c(['sed', '-n', '/apple/{=;p}', 'a.txt']),
    c(['sed', '$!N;s/\\n/ /', 'a.txt']),
    c(['sed', 'G', 'a.txt']),
    c(['sed', '-n', 'h;n;G;p', 'a.txt']),
    c(['sed', '=', 'a.txt']),
    c(['sed', 's/a/A/', 'missing', 'a.txt']),
    c(['sed', 'k', 'a.txt']),
    c(['sed', '0~2d', 'big.txt']),
    c(['sed', '1~3!d', 'big.txt']),
    c(['sed', '2c changed', 'a.txt']),
    c(['sed', '-i', 's/apple/pear/', 'a.txt', 'dir/sub/three.txt'], { rw: true }),
    c(['sed', '-s', '-n', '$p', 'a.txt', 'b.txt']),
    c(['sed', '-n', '$p', 'a.txt', 'b.txt']),
    c(['sed', '-n', 'l', 'tabs.txt']),
    c(['sed', ':a;N;$!ba;s/\\n/,/g', 'a.txt']),
    c(['sed', '-e', '3,+1d', '-e', '10q', 'big.txt']),
    c(['sed', 's/o/0/3g', 'b.txt']),
    c(['sed', '/^$/d;s/^/| /', 'b.txt']),
    c(['sed', '-n', '/quick/,/Lorem/{/^$/!p}', 'b.txt']),
    c(['sed', 's|/|_|g'], { stdin: '/usr/local/bin\n' }),
    c(['sed', 's/.*/"&"/'], { stdin: 'a\nb\n' }),
  ],
  tr: [
    c(['tr', 'a-z', 'A-Z'], { stdin: 'Hello, World!\n' }),
    c(['tr', '-d', 'aeiou'], { stdin: 'education\n' }),
    c(['tr', '-s', ' '], { stdin: 'a   b    c\n' }),
    c(['tr', '[:lower:]', '[:upper:]'], { stdin: 'mixed Case 123\n' }),
    c(['tr', '-c', 'a-z\\n', '_'], { stdin: 'ab-cd ef!\n' }),
    c(['tr', '-cd', '0-9\\n'], { stdin: 'phone: +1 (555) 010-9999\n' }),
    c(['tr', 'abc', 'x'], { stdin: 'aabbcc\n' }),
    c(['tr', '-ds', 'a', 'b'], { stdin: 'abbbaabb\n' }),
    c(['tr', 'a'], { stderr: true }),
    c(['tr', '\\n', ' '], { stdin: 'one\ntwo\n' }),
    c(['tr', 'a-c', '[x*2]yz'], { stdin: 'abcabc\n' }),
    c(['tr', '-s', 'a-z'], { stdin: 'aabbccdd  ee\n' }),
    c(['tr', '[:digit:]', '#'], { stdin: 'a1b22c333\n' }),
    c(['tr', '-d', '[:space:]'], { stdin: ' a b\tc\n' }),
  ],
  cut: [
    c(['cut', '-d,', '-f2', 'table.csv']),
    c(['cut', '-d,', '-f1,3', 'table.csv']),
    c(['cut', '-c1-3', 'a.txt']),
    c(['cut', '-f2', 'tabs.txt']),
    c(['cut', '-s', '-f2', 'tabs.txt']),
    c(['cut', '-d,', '-f2-', 'table.csv']),
    c(['cut', '-b', '-2', 'a.txt']),
    c(['cut', 'a.txt'], { stderr: true }),
    c(['cut', '-d,', '--complement', '-f2', 'table.csv']),
    c(['cut', '-d,', '-f1,2', '--output-delimiter=:', 'table.csv']),
    c(['cut', '-f0', 'a.txt']),
    c(['cut', '-c2,4-', 'b.txt']),
    c(['cut', '-d', ' ', '-f', '2', 'fields.txt']),
  ],
  tee: [
    c(['tee', 'out.txt'], { stdin: 'copied\n', rw: true }),
    c(['tee', '-a', 'a.txt'], { stdin: 'appended\n', rw: true }),
    c(['tee', 'o1', 'o2'], { stdin: 'twice\n', rw: true }),
    c(['tee', 'nodir/x', 'ok'], { stdin: 'data\n', rw: true, stderr: true }),
    c(['tee'], { stdin: 'just stdout\n' }),
  ],
  seq: [
    c(['seq', '5']),
    c(['seq', '2', '5']),
    c(['seq', '1', '2', '10']),
    c(['seq', '-s', ',', '3']),
    c(['seq', '-w', '8', '11']),
    c(['seq', '1', '0.5', '3']),
    c(['seq', '5', '-1', '1']),
    c(['seq', '0']),
    c(['seq', '-f', '%.2f', '1', '3']),
    c(['seq', 'x'], { stderr: true }),
    c(['seq', '1', '0', '3']),
    c(['seq', '-1', '1']),
    c(['seq', '10', '1']),
    c(['seq', '-w', '-s', ' ', '1', '3', '10']),
  ],
  sleep: [
    c(['sleep', '0']),
    c(['sleep', '0.01']),
    c(['sleep'], { stderr: true }),
    c(['sleep', 'x'], { stderr: true }),
    c(['sleep', '0.01s', '0.001']),
  ],
  date: [
    c(['date', '-d', '@0']),
    c(['date', '-d', '@1700000000', '+%Y-%m-%d %H:%M:%S']),
    c(['date', '-u', '-d', '2024-02-29 12:34:56', '+%a %A %b %B %j %u %w']),
    c(['date', '-d', '@86399', '+%s %N']),
    c(['date', '-d', '2020-01-01', '+%D %T %y %e %I %p %Z %z']),
    c(['date', '-r', 'b.txt', '+%F %T']),
    c(['date', '-d', 'bogus']),
    c(['date', '-d', '@1234567890', '-R']),
    c(['date', '-d', '@1234567890', '-I']),
    c(['date', '-d', '@1234567890', '-Iseconds']),
    c(['date', '-d', '2001-02-03T04:05:06', '+%-d|%_H|%-m|%%|%k|%l']),
    c(['date', '-d', '@1234567890.5', '+%s.%N']),
  ],
  true: [c(['true']), c(['true', 'ignored', 'args']), c(['true', '-x'])],
  false: [c(['false']), c(['false', 'x']), c(['false', '-v'])],
  basename: [
    c(['basename', '/a/b/c.txt']),
    c(['basename', '/a/b/c.txt', '.txt']),
    c(['basename', '-s', '.txt', 'x.txt', 'y.txt']),
    c(['basename', '-a', 'a/b', 'c/d/']),
    c(['basename', '/']),
    c(['basename', '//']),
    c(['basename'], { stderr: true }),
    c(['basename', 'a', 'b', 'c'], { stderr: true }),
    c(['basename', '.txt', '.txt']),
    c(['basename', 'noslash']),
  ],
  dirname: [
    c(['dirname', '/a/b/c']),
    c(['dirname', 'a']),
    c(['dirname', '/']),
    c(['dirname', 'a/b/', '/x//y//']),
    c(['dirname', '//']),
    c(['dirname', '/usr']),
    c(['dirname'], { stderr: true }),
  ],
  stat: [
    c(['stat', '-c', '%n %s %F', 'a.txt', 'dir', 'link', 'empty.txt']),
    c(['stat', '-c', '%a %A', 'a.txt', 'dir', 'link', 'bin/tool']),
    c(['stat', '-L', '-c', '%F %s', 'link', 'dlink']),
    c(['stat', '-c', '%h %i', 'hard.txt', 'a.txt']),
    c(['stat', '-c', '%Y %y', 'b.txt']),
    c(['stat', 'missing'], { stderr: true }),
    c(['stat', '--printf', '%n\\t%s\\n', 'a.txt', 'b.txt']),
    c(['stat', '-c', '%N', 'link', 'a.txt']),
    c(['stat', '-c', '%U %G %u %g', 'a.txt']),
    c(['stat', '-c', '%b %B', 'dir/sub/deep/big.bin', 'empty.txt']),
    c(['stat', '-c', '[%10s] [%-6n]', 'a.txt']),
  ],
  find: [
    c(['find', 'dir'], { sort: true }),
    c(['find', '.', '-name', '*.txt'], { sort: true }),
    c(['find', 'dir', '-type', 'd'], { sort: true }),
    c(['find', 'dir', '-maxdepth', '1'], { sort: true }),
    c(['find', '.', '-type', 'l'], { sort: true }),
    c(['find', 'dir', '-name', '*.txt', '-o', '-name', '*.md'], { sort: true }),
    c(['find', 'dir', '!', '-name', '*.txt'], { sort: true }),
    c(['find', 'missing', 'dir/sub/deep'], { sort: true, stderr: true }),
    c(['find', '.', '-empty'], { sort: true }),
    c(['find', '.', '-maxdepth', '1', '-size', '+1k'], { sort: true }),
    c(['find', 'dir', '-mindepth', '2', '-type', 'f'], { sort: true }),
    c(['find', 'dir', '-path', '*/sub', '-prune', '-o', '-print'], { sort: true }),
    c(['find', 'dir', '-iname', '*.MD']),
    c(['find', '.', '-newer', 'b.txt', '-type', 'f'], { sort: true }),
    c(['find', 'dir', '-name', '*.txt', '-exec', 'cat', '{}', ';'], { sort: true }),
    c(['find', 'dir', '(', '-name', 'one*', '-o', '-name', 'two*', ')', '-print'], { sort: true }),
    c(['find', '.', '-maxdepth', '1', '-name', '*.txt', '-size', '-1']),
  ],
  xargs: [
    c(['xargs'], { stdin: 'a b\nc\n' }),
    c(['xargs', '-n', '1'], { stdin: 'a b\nc\n' }),
    c(['xargs', '-n', '2', 'echo', 'x'], { stdin: '1 2 3 4 5\n' }),
    c(['xargs', '-0'], { stdin: 'a\0b c\0' }),
    c(['xargs', '-I', '{}', 'echo', '[{}]'], { stdin: 'one\n  two words\n' }),
    c(['xargs', '-r', 'echo', 'never'], { stdin: '' }),
    c(['xargs'], { stdin: '' }),
    c(['xargs', 'cat'], { stdin: 'a.txt nonl.txt' }),
    c(['xargs', '-d', ',', 'echo'], { stdin: 'a,b,c' }),
    c(['xargs', 'nosuchcmd'], { stdin: 'x\n' }),
    c(['xargs', 'false'], { stdin: 'x\n' }),
    c(['xargs', '-L', '1', 'echo'], { stdin: 'a b\nc d\n' }),
    c(['xargs', '-t', 'echo'], { stdin: 'a b\n', stderr: true }),
    c(['xargs', 'echo'], { stdin: '\'quoted arg\' "another one" back\\ slash\n' }),
  ],
  test: [
    c(['test', '-f', 'a.txt']),
    c(['test', '-d', 'a.txt']),
    c(['test', '-e', 'missing']),
    c(['test', '-L', 'link']),
    c(['test', '-s', 'empty.txt']),
    c(['test', 'abc', '=', 'abc']),
    c(['test', 'abc', '!=', 'abc']),
    c(['test', '5', '-gt', '3']),
    c(['test', '5', '-lt', '3']),
    c(['test', 'x', '-eq', '1'], { stderr: true }),
    c(['test']),
    c(['test', '-n', '']),
    c(['test', '-z', '']),
    c(['test', '!', '-f', 'dir']),
    c(['test', '-f', 'a.txt', '-a', '-d', 'dir']),
    c(['test', '-f', 'missing', '-o', '-d', 'dir']),
    c(['test', '(', '1', '-eq', '1', ')']),
    c(['test', 'a.txt', '-nt', 'b.txt']),
    c(['test', 'a.txt', '-ef', 'hard.txt']),
    c(['test', '-x', 'dir']),
    c(['test', '-x', 'bin/tool']),
    c(['test', '-h', 'dangling']),
    c(['test', 'a', '<', 'b']),
    c(['test', ' 7 ', '-ge', '7']),
    c(['test', '-z']),
    c(['test', '1', '-eq'], { stderr: true }),
  ],
  '[': [
    c(['[', '1', '=', '1', ']']),
    c(['[', '1', '=', '1'], { stderr: true }),
    c(['[', '-d', 'dir', ']']),
    c(['[', ']']),
    c(['[', '!', '-e', 'a.txt', ']']),
  ],
  du: [
    c(['du', '-s', 'dir']),
    c(['du', 'dir'], { sort: true }),
    c(['du', '-sh', 'dir']),
    c(['du', '-a', 'dir'], { sort: true }),
    c(['du', '-c', 'a.txt', 'b.txt']),
    c(['du', '-h', 'dir/sub/deep/big.bin']),
    c(['du', 'missing'], { stderr: true }),
    c(['du', '-d', '1', 'dir'], { sort: true }),
    c(['du', '-b', 'a.txt', 'bin.dat']),
    c(['du', '-s', 'a.txt', 'hard.txt']),
    c(['du', '-sh', 'emptydir', 'empty.txt']),
  ],
  readlink: [
    c(['readlink', 'link']),
    c(['readlink', 'a.txt']),
    c(['readlink', '-f', 'link']),
    c(['readlink', '-f', 'dlink/sub/../one.txt']),
    c(['readlink', '-e', 'missing']),
    c(['readlink', '-m', 'no/such/../x']),
    c(['readlink', '-f', 'dangling']),
    c(['readlink', '-n', 'link']),
    c(['readlink', 'link', 'dlink']),
  ],
  realpath: [
    c(['realpath', 'a.txt']),
    c(['realpath', 'link', 'dlink']),
    c(['realpath', 'missing']),
    c(['realpath', '-e', 'missing'], { stderr: true }),
    c(['realpath', '-m', 'x/y/../z']),
    c(['realpath', '-s', 'dlink/one.txt']),
    c(['realpath', '--relative-to=dir', 'dir/sub/three.txt']),
    c(['realpath', '--relative-to=dir/sub', 'a.txt']),
    c(['realpath', '.', 'dir/..', 'dir/sub/deep/../']),
    c(['realpath', 'missing/x'], { stderr: true }),
  ],
  chmod: [
    c(['chmod', '755', 'a.txt'], { rw: true }),
    c(['chmod', 'u+x', 'a.txt'], { rw: true }),
    c(['chmod', '-v', '755', 'a.txt'], { rw: true }),
    c(['chmod', '-v', 'go-r', 'a.txt', 'dir'], { rw: true }),
    c(['chmod', '-c', '644', 'a.txt'], { rw: true }),
    c(['chmod', '-v', 'a=rwx,o-w', 'b.txt'], { rw: true }),
    c(['chmod', 'xyz', 'a.txt'], { rw: true, stderr: true }),
    c(['chmod', '755', 'missing'], { rw: true, stderr: true }),
    c(['chmod', '-R', '-v', 'u+w', 'dir/sub'], { rw: true, sort: true }),
    c(['chmod', '-v', '+x', 'a.txt'], { rw: true }),
    c(['chmod', '-v', 'g=u', 'a.txt'], { rw: true }),
    c(['chmod', '-v', '-w', 'a.txt'], { rw: true }),
    c(['chmod', '-v', 'u=rw,go=', 'a.txt'], { rw: true }),
  ],
  which: [
    c(['which', 'tool'], { env: { PATH: '{{DIR}}/bin:{{DIR}}/bin2' } }),
    c(['which', '-a', 'tool'], { env: { PATH: '{{DIR}}/bin:{{DIR}}/bin2' } }),
    c(['which', 'data'], { env: { PATH: '{{DIR}}/bin:{{DIR}}/bin2' } }),
    c(['which', 'missing'], { env: { PATH: '{{DIR}}/bin:{{DIR}}/bin2' } }),
    c(['which', 'tool', 'missing'], { env: { PATH: '{{DIR}}/bin:{{DIR}}/bin2' } }),
    c(['which', './bin/tool'], { env: { PATH: '{{DIR}}/bin' } }),
  ],
  base64: [
    c(['base64', 'a.txt']),
    c(['base64', 'bin.dat']),
    c(['base64', '-w', '0', 'b.txt']),
    c(['base64', '-w', '20', 'b.txt']),
    c(['base64', '-d'], { stdin: 'YXBwbGUK\n' }),
    c(['base64', '-d'], { stdin: '@@@@\n', stderr: true }),
    c(['base64', 'empty.txt']),
    c(['base64', '-d'], { stdin: 'YQ\n' }),
    c(['base64', '-d', '-i'], { stdin: 'Y!Q==\n' }),
    c(['base64'], { stdin: 'ab' }),
    c(['base64', 'missing'], { stderr: true }),
    c(['base64', '-d'], { stdin: 'YWJjZA==YWJj' }),
  ],
  sha256sum: [
    c(['sha256sum', 'a.txt', 'b.txt', 'empty.txt']),
    c(['sha256sum', 'bin.dat', 'big.txt']),
    c(['sha256sum'], { stdin: 'abc' }),
    c(['sha256sum', 'missing'], { stderr: true }),
    c(['sha256sum', '-c', 'good.sums']),
    c(['sha256sum', '-c', 'sums.txt'], { stderr: true }),
    c(['sha256sum', '--tag', 'a.txt']),
    c(['sha256sum', '-b', 'a.txt']),
    c(['sha256sum', 'dir/sub/deep/big.bin']),
    c(['sha256sum', '-c', '--quiet', 'sums.txt']),
    c(['sha256sum', '-c', '--status', 'good.sums']),
    c(['sha256sum', '-'], { stdin: 'a'.repeat(1000) }),
    c(['sha256sum', '-c'], { stdin: 'not a checksum line\n', stderr: true }),
  ],
  xxd: [
    c(['xxd', 'a.txt'], { needs: 'xxd' }),
    c(['xxd', 'bin.dat'], { needs: 'xxd' }),
    c(['xxd', '-p', 'b.txt'], { needs: 'xxd' }),
    c(['xxd', '-g', '1', '-c', '8', 'a.txt'], { needs: 'xxd' }),
    c(['xxd', '-l', '20', '-s', '5', 'big.txt'], { needs: 'xxd' }),
    c(['xxd', '-u', 'bin.dat'], { needs: 'xxd' }),
    c(['xxd', 'empty.txt'], { needs: 'xxd' }),
    c(['xxd', 'missing'], { needs: 'xxd', stderr: true }),
    c(['xxd', '-r', '-p'], { needs: 'xxd', stdin: '68656c6c6f0a\n' }),
    c(['xxd', '-r'], { needs: 'xxd', stdin: '00000000: 6869 210a                                hi!.\n' }),
    c(['xxd'], { needs: 'xxd', stdin: 'from stdin\n' }),
  ],
  expr: [
    c(['expr', '1', '+', '2']),
    c(['expr', '10', '/', '3']),
    c(['expr', '10', '%', '3']),
    c(['expr', '2', '*', '3']),
    c(['expr', '5', '-', '7']),
    c(['expr', '1', '/', '0'], { stderr: true }),
    c(['expr', 'abc', ':', 'a\\(.\\)']),
    c(['expr', 'abcdef', ':', '.*']),
    c(['expr', 'length', 'hello']),
    c(['expr', 'substr', 'hello', '2', '3']),
    c(['expr', 'index', 'hello', 'l']),
    c(['expr', '3', '<', '10']),
    c(['expr', 'a', '<', 'b']),
    c(['expr', '0']),
    c(['expr', '']),
    c(['expr', '1', '|', '0']),
    c(['expr', '0', '&', '1']),
    c(['expr', 'a', '+', '1'], { stderr: true }),
    c(['expr', '(', '1', '+', '2', ')', '*', '3']),
    c(['expr', '1', '=']),
    c(['expr', 'match', 'abc', 'b']),
    c(['expr', '10', '=', '010']),
  ],
  uname: [c(['uname', '-z']), c(['uname', 'extra'])],
  clear: [
    c(['clear'], { env: { TERM: 'xterm' }, needs: 'clear' }),
    c(['clear', '-x'], { env: { TERM: 'xterm' }, needs: 'clear' }),
    c(['clear', '-T', 'xterm'], { env: { TERM: 'xterm' }, needs: 'clear' }),
  ],
};

const withDir = (v: string, dir: string): string => v.split('{{DIR}}').join(dir);
const envFor = (cs: Case, dir: string): Record<string, string> | undefined =>
  cs.env && Object.fromEntries(Object.entries(cs.env).map(([k, v]) => [k, withDir(v, dir)]));

const sortLines = (s: string): string => s.split('\n').sort().join('\n');

function compare(cs: Case, gnu: Output, box: Output): void {
  const norm = cs.sort ? sortLines : (s: string) => s;
  expect({ stdout: norm(box.stdout), code: box.code }, `stderr: ${box.stderr}`).toEqual({
    stdout: norm(gnu.stdout),
    code: gnu.code,
  });
  if (cs.stderr) expect(box.stderr).toBe(gnu.stderr);
}

let fixture: string;
const scratch: string[] = [];

function freshCopy(): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-box-rw-'));
  chmodSync(d, 0o755);
  scratch.push(d);
  cpSync(fixture, d, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return d;
}

beforeAll(() => {
  fixture = makeFixture();
});
afterAll(() => {
  removeTree(fixture);
  for (const d of scratch) removeTree(d);
});

const hostTools = new Map<string, boolean>();
const available = (cmd: string): boolean => {
  if (!hostTools.has(cmd)) hostTools.set(cmd, hostHas(cmd));
  return hostTools.get(cmd)!;
};

let total = 0;
for (const [applet, cases] of Object.entries(CASES)) {
  describe(`box ${applet} matches GNU`, () => {
    for (const cs of cases) {
      total++;
      const name = JSON.stringify(cs.args.slice(1)) + (cs.stdin !== undefined ? ' <stdin' : '');
      it(name, ({ skip }) => {
        if (cs.needs && !available(cs.needs)) skip(`host has no ${cs.needs}`);
        const opts = { stdin: cs.stdin };
        if (!cs.rw) {
          const gnu = runGnu(fixture, cs.args, { ...opts, env: envFor(cs, fixture) });
          const box = runBox(fixture, cs.args, { ...opts, env: envFor(cs, '/data') });
          compare(cs, gnu, box);
          return;
        }
        const g = freshCopy();
        const b = freshCopy();
        const gnu = runGnu(g, cs.args, { ...opts, env: envFor(cs, g) });
        const box = runBox(b, cs.args, { ...opts, env: envFor(cs, '/data') });
        compare(cs, gnu, box);
        expect(snapshot(b)).toEqual(snapshot(g));
        for (const t of cs.times ?? []) {
          expect(Math.floor(statSync(join(b, t)).mtimeMs / 1000), `mtime of ${t}`).toBe(
            Math.floor(statSync(join(g, t)).mtimeMs / 1000),
          );
        }
      });
    }
  });
}

describe('box dispatch', () => {
  const applets = Object.keys(CASES)
    .concat(['yes'])
    .filter((a) => a !== 'uname' && a !== 'clear');

  it('compares 150+ cases, at least 3 per applet', () => {
    expect(total).toBeGreaterThanOrEqual(150);
    for (const [applet, cases] of Object.entries(CASES)) {
      if (applet !== 'uname' && applet !== 'clear') expect(cases.length, applet).toBeGreaterThanOrEqual(3);
    }
  });

  it('lists its applets with --list, each a name the tests cover', () => {
    const r = runBox(fixture, ['--list']);
    expect(r.code).toBe(0);
    const listed = r.stdout.trim().split('\n');
    expect(listed.length).toBeGreaterThanOrEqual(45);
    for (const a of applets) expect(listed).toContain(a);
    // sh is compared with dash script by script in sh.test.ts
    for (const a of listed) expect([...applets, 'uname', 'clear', 'sh']).toContain(a);
  });

  it('dispatches on the basename of argv[0], like a /bin/ls -> box symlink', () => {
    expect(runGuest(BOX_WASM, fixture, ['/bin/echo', 'via', 'argv0']).stdout).toBe('via argv0\n');
    expect(runGuest(BOX_WASM, fixture, ['ls', '-d', 'dir']).stdout).toBe('dir\n');
    expect(runGuest(BOX_WASM, fixture, ['/bin/box.wasm', 'basename', '/x/y']).stdout).toBe('y\n');
    const e = runGuest(BOX_WASM, fixture, ['/bin/ls', 'missing']);
    expect(e.stderr).toBe("ls: cannot access 'missing': No such file or directory\n");
  });

  it('refuses unknown applets with 127 and prints usage without one', () => {
    expect(runBox(fixture, ['nosuch'])).toMatchObject({
      code: 127,
      stderr: 'box: applet not found: nosuch\n',
    });
    expect(runGuest(BOX_WASM, fixture, ['frobnicate'])).toMatchObject({ code: 127 });
    const u = runGuest(BOX_WASM, fixture, ['box']);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/Usage: box APPLET/);
    expect(runBox(fixture, ['--help']).code).toBe(0);
  });

  it('answers --help and --version per applet', () => {
    expect(runBox(fixture, ['ls', '--help'])).toMatchObject({ code: 0 });
    expect(runBox(fixture, ['ls', '--help']).stdout).toMatch(/^Usage: ls /);
    expect(runBox(fixture, ['sort', '--version']).stdout).toBe('sort (box) 0.1.0\n');
    expect(runBox(fixture, ['echo', '--help']).stdout).toBe('--help\n');
  });

  it('rejects unknown options GNU-style', () => {
    const r = runBox(fixture, ['ls', '-Z']);
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toBe("ls: invalid option -- 'Z'\nTry 'ls --help' for more information.\n");
    const g = runBox(fixture, ['grep', '--frob', 'x']);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/^grep: unrecognized option '--frob'/);
    expect(runBox(fixture, ['cat', '-Z']).code).toBe(1);
  });

  it('runs in its $PWD, and in / without one', () => {
    expect(runBox(fixture, ['pwd']).stdout).toBe('/data\n');
    expect(runGuest(BOX_WASM, null, ['box', 'pwd']).stdout).toBe('/\n');
    expect(runGuest(BOX_WASM, fixture, ['box', 'cat', 'a.txt'], { env: { PWD: '/data/dir' } })).toMatchObject(
      {
        code: 1,
      },
    );
    expect(runGuest(BOX_WASM, fixture, ['box', 'cat', 'one.txt'], { env: { PWD: '/data/dir' } }).stdout).toBe(
      'one\n',
    );
  });
});

describe('box yes, uname and clear (no GNU twin to run)', () => {
  const firstBytes = (args: string[]): string =>
    runGnu(fixture, ['sh', '-c', `${args.join(' ')} | head -c 20000`]).stdout;

  it('yes repeats y, or its arguments, until the output is closed', () => {
    for (const args of [['yes'], ['yes', 'hello', 'world'], ['yes', '']]) {
      const box = runBox(fixture, args, { outputLimit: 20000 });
      expect(box.code).toBeNull(); // killed by the output limit, as a closed pipe would stop it
      expect(box.stdout).toBe(firstBytes(args.map((a) => `'${a}'`)));
    }
  });

  it('uname describes the sandbox', () => {
    expect(runBox(fixture, ['uname']).stdout).toBe('WASI\n');
    expect(runBox(fixture, ['uname', '-a']).stdout).toBe(
      'WASI localhost preview1 #1 box 0.1.0 wasm32 WASI\n',
    );
    expect(runBox(fixture, ['uname', '-snrm'], { env: { HOSTNAME: 'c0ffee' } }).stdout).toBe(
      'WASI c0ffee preview1 wasm32\n',
    );
    expect(runBox(fixture, ['uname', '-o', '-p', '-i']).stdout).toBe('unknown unknown WASI\n');
  });

  it("clear writes xterm's sequences", () => {
    expect(runBox(fixture, ['clear']).stdout).toBe('\x1b[H\x1b[2J\x1b[3J');
    expect(runBox(fixture, ['clear', '-x']).stdout).toBe('\x1b[H\x1b[2J');
    expect(runBox(fixture, ['clear', 'extra']).code).toBe(1);
  });
});

describe('box through the CLI', () => {
  /** `berth wasm run --dir TMP::/data -e PWD=/data images/box/box.wasm ARGS`, four at a time. */
  function cli(args: string[], stdin = ''): Promise<Output> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(
        process.execPath,
        [BERTH, 'wasm', 'run', '--dir', `${fixture}::/data`, '-e', 'PWD=/data', BOX_WASM, ...args],
        { cwd: ROOT },
      );
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) =>
        resolvePromise({
          stdout: Buffer.concat(out).toString('latin1'),
          stderr: Buffer.concat(err).toString('latin1'),
          code,
        }),
      );
      child.stdin.end(stdin);
    });
  }

  async function inBatches<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (next < items.length) {
          const i = next++;
          results[i] = await f(items[i]!);
        }
      }),
    );
    return results;
  }

  it('gives the same output as in-process runs', async () => {
    const runs: { args: string[]; stdin?: string }[] = [
      { args: ['ls', '-l', 'dir'] },
      { args: ['sort', '-n', 'nums.txt'] },
      { args: ['grep', '-c', 'apple', 'a.txt', 'b.txt'] },
      { args: ['wc'], stdin: 'from the terminal\n' },
      { args: ['sha256sum', 'bin.dat'] },
      { args: ['ls', 'missing'] },
      { args: ['sed', '-n', '$p', 'big.txt'] },
      { args: ['find', 'dir', '-name', '*.md'] },
    ];
    const results = await inBatches(runs, 4, (r) => cli(r.args, r.stdin));
    runs.forEach((r, i) => {
      const inProcess = runBox(fixture, r.args, { stdin: r.stdin });
      expect(results[i], r.args.join(' ')).toEqual(inProcess);
    });
  }, 60_000);
});

describe('start time', () => {
  it('reports the median time of `box true` in-thread and through the CLI', async () => {
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const inThread: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      expect(runBox(fixture, ['true']).code).toBe(0);
      inThread.push(performance.now() - t);
    }
    const viaCli: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = await new Promise<number | null>((res) => {
        const child = spawn(process.execPath, [BERTH, 'wasm', 'run', BOX_WASM, 'true'], { stdio: 'ignore' });
        child.on('close', res);
      });
      expect(r).toBe(0);
      viaCli.push(performance.now() - t);
    }
    const size = readFileSync(BOX_WASM).length;
    console.log(
      `box.wasm ${size} bytes; box true: median ${median(inThread).toFixed(2)} ms in-thread, ` +
        `${median(viaCli).toFixed(0)} ms via the CLI`,
    );
    expect(median(inThread)).toBeLessThan(250);
  }, 60_000);
});

describe('images/box', () => {
  const dir = join(ROOT, 'images/box');

  it('has one relative symlink to box in rootfs/bin per applet', () => {
    const listed = runBox(fixture, ['--list']).stdout.trim().split('\n').sort();
    const bin = join(dir, 'rootfs/bin');
    expect(readdirSync(bin).sort()).toEqual(listed);
    for (const name of listed) {
      expect(lstatSync(join(bin, name)).isSymbolicLink(), name).toBe(true);
      expect(readlinkSync(join(bin, name)), name).toBe('box');
    }
  });

  it('has a Dockerfile FROM scratch with box, its links, PATH, WORKDIR, labels and a CMD', () => {
    const parsed = parseDockerfile(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
    expect(parsed.warnings).toEqual([]);
    expect(parsed.instructions.map((i) => i.kind)).toEqual([
      'FROM',
      'COPY',
      'COPY',
      'ENV',
      'WORKDIR',
      'WORKDIR',
      'LABEL',
      'CMD',
    ]);
    const [from, box, links, env, tmp, workdir, label, cmd] = parsed.instructions;
    expect(from).toMatchObject({ image: 'scratch' });
    expect(box).toMatchObject({ sources: ['box.wasm'], dest: '/bin/box' });
    expect(links).toMatchObject({ sources: ['rootfs/'], dest: '/' });
    expect(env).toMatchObject({ pairs: [{ key: 'PATH', value: '/bin' }] });
    expect(tmp).toMatchObject({ path: '/tmp' }); // creates /tmp, sh's temporary files
    expect(workdir).toMatchObject({ path: '/' });
    const keys = (label as { pairs: { key: string }[] }).pairs.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining(['org.opencontainers.image.source', 'org.opencontainers.image.version']),
    );
    expect(cmd).toMatchObject({ command: { form: 'exec', args: ['sh'] } });
  });

  it('is small', () => {
    expect(readFileSync(BOX_WASM).length).toBeLessThan(400 * 1024);
  });
});
