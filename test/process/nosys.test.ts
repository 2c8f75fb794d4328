/**
 * berth_process where processes are unsupported: a module that imports it still instantiates, and every
 * call fails with NOSYS (52), so a shell can fall back or report it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingOutput, MemoryFileSystem, Namespace, runInThreadSync } from '../../runtime/node/index';
import { importsBerthProcess } from '../../runtime/wasi/Preview1';

const root = join(import.meta.dirname, '../..');
const procWasm = new Uint8Array(readFileSync(join(root, 'test/process/fixtures/proc.wasm')));
const helloWasm = new Uint8Array(readFileSync(join(root, 'test/wasi/wasm/hello.wasm')));

describe('berth_process imports where processes are unsupported', () => {
  it('a module importing berth_process runs in-thread and gets NOSYS', () => {
    const module = new WebAssembly.Module(procWasm);
    expect(importsBerthProcess(module)).toBe(true);
    const stdout = new CollectingOutput();
    const result = runInThreadSync(module, {
      args: ['proc', 'ids'],
      namespace: new Namespace(new MemoryFileSystem()),
      stdout,
    });
    expect(stdout.text()).toBe('getpid: errno 52\n');
    expect(result).toEqual({ exitCode: 1, reason: 'exit' });
  });

  it('a module that does not import it gets no berth_process import', () => {
    expect(importsBerthProcess(new WebAssembly.Module(helloWasm))).toBe(false);
  });
});
