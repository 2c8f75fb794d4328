/** Reads a tar stream member by member (tar-stream's extract, pulled as an async generator). */
import { extract as tarExtract, type Header } from 'tar-stream';
import { drained } from '../layer/stream';
import { InvalidArchiveError, messageOf } from './errors';

export interface TarMember {
  /** The member's name as written, e.g. `./blobs/sha256/ab…`, `manifest.json`, `blobs/`. */
  readonly name: string;
  readonly type: Header['type'];
  readonly size: number;
  /** Link target of symlinks and hard links. */
  readonly linkname: string | undefined;
  /**
   * The member's data. Read it (or part of it) before asking for the next member; whatever is left is
   * skipped. Stopping early does not stop the archive.
   */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * The members of a tar stream, in archive order. A truncated or corrupt archive fails with an
 * InvalidArchiveError naming `archive` (and the member being read); a failure of `source` is passed on.
 */
export async function* tarMembers(
  source: AsyncIterable<Uint8Array>,
  archive: string,
): AsyncGenerator<TarMember> {
  const extract = tarExtract();
  let sourceFailure: { error: unknown } | undefined;
  const feeding = (async (): Promise<void> => {
    try {
      for await (const chunk of source) {
        if (extract.destroyed) return;
        if (!extract.write(chunk)) await drained(extract);
      }
      if (!extract.destroyed) extract.end(null);
    } catch (error) {
      sourceFailure = { error };
      extract.destroy(error as Error);
    }
  })();
  let current: string | undefined;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      current = header.name;
      const it = (entry as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      const body: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => ({
          next: () => it.next(),
          // Not it.return(): destroying an entry destroys the whole extraction.
          return: async () => ({ done: true, value: undefined }),
        }),
      };
      yield {
        name: header.name,
        type: header.type,
        size: header.size ?? 0,
        linkname: header.linkname ?? undefined,
        body,
      };
      while (!(await it.next()).done) {
        // skip the rest of the member
      }
    }
  } catch (error) {
    if (sourceFailure !== undefined) throw sourceFailure.error;
    if (error instanceof InvalidArchiveError) throw error;
    const message = messageOf(error);
    if (/Unexpected end of data/.test(message)) {
      throw new InvalidArchiveError(
        archive,
        undefined,
        `the tar is truncated${current === undefined ? '' : ` (in member ${JSON.stringify(current)})`}`,
        { cause: error },
      );
    }
    if (/Invalid tar header|Header exceeds/.test(message)) {
      throw new InvalidArchiveError(archive, undefined, `not a valid tar archive (${message})`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    if (!extract.destroyed) extract.destroy();
    await feeding;
  }
  if (sourceFailure !== undefined) throw sourceFailure.error;
}
