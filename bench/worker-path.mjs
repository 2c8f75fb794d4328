// Berth's warm-worker path for the hello case: spawn() (runtime/process/spawn.ts) on a WorkerPool of
// Node worker_threads (runtime/node/NodeWorkerHost.ts) that is already warm, so each iteration is what a
// repeat `berth run` of a cached module costs: post the StartRequest (module, args, fresh in-memory
// root), the worker builds the filesystem, instantiates and runs _start, output and the exit come back.
// Timed per iteration: from spawn() until wait() settles.

export async function helloWorker(spec, module) {
  const { spawn, WorkerPool, NodeWorkerHost } = await import(spec.bundleFile);
  if (!spawn || !WorkerPool || !NodeWorkerHost) {
    return { ok: false, na: true, error: 'spawn / WorkerPool / NodeWorkerHost not exported by the runtime' };
  }
  // One warm worker is enough: iterations run one after another.
  const pool = new WorkerPool(new NodeWorkerHost(), { size: 1, idleTimeoutMs: Infinity });
  try {
    pool.prewarm(1);
    const once = async () => {
      const t0 = performance.now();
      const guest = spawn(pool, { module, args: spec.args, onStdout() {}, onStderr() {} });
      const r = await guest.wait();
      const ms = performance.now() - t0;
      if (r.reason !== 'exit' || r.exitCode !== 0) {
        throw new Error(`${r.reason}${r.exitCode !== null ? ` ${r.exitCode}` : ''}: ${r.message ?? ''}`);
      }
      return ms;
    };
    for (let i = 0; i < spec.helloWarmup; i++) await once();
    const samples = [];
    for (let i = 0; i < spec.helloIterations; i++) samples.push(await once());
    const note =
      pool.created > 1 ? `${pool.created} workers were created (the pool did not stay warm)` : undefined;
    return { ok: true, samples, ...(note ? { note } : {}) };
  } finally {
    pool.close();
  }
}
