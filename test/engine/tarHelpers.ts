/** Tars for the engine tests, read and written with tar-stream (not Berth's own code). */
import { extract as tarExtract, pack as tarPack } from 'tar-stream';

/** A tar of files (path → text or bytes) as a stream. */
export async function* makeTar(files: Record<string, string | Uint8Array>): AsyncGenerator<Uint8Array> {
  const p = tarPack();
  const out: Uint8Array[] = [];
  const collecting = (async () => {
    for await (const chunk of p) out.push(chunk as Uint8Array);
  })();
  for (const [name, text] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ name, mode: 0o644 }, typeof text === 'string' ? text : Buffer.from(text), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  p.finalize();
  await collecting;
  yield* out;
}

/** Regular files of a tar stream: path (without leading './' or '/') → text; directories map to null. */
export async function extractTar(source: AsyncIterable<Uint8Array>): Promise<Map<string, string | null>> {
  const files = new Map<string, string | null>();
  const x = tarExtract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.?\//, '').replace(/\/$/, '');
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => void parts.push(c as Buffer));
      stream.on('end', () => {
        files.set(name, header.type === 'directory' ? null : Buffer.concat(parts).toString('utf8'));
        next();
      });
    });
    x.on('finish', resolve);
    x.on('error', reject);
  });
  for await (const chunk of source) x.write(chunk);
  x.end(null);
  await done;
  return files;
}
