/**
 * Dockerfiles the way people write them: FROM box with shell-form RUN lines (`&&`, `cd`, pipes, loops,
 * redirections), run through box's /bin/sh by the real berth binary; the built image runs, and a rebuild
 * takes every step from the cache.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, freshRoot, removeRoot } from '../cli/helpers';

const stateRoot = freshRoot('berth-shell-form-');
const context = freshRoot('berth-shell-ctx-');

beforeAll(() => {
  mkdirSync(join(context, 'src'));
  writeFileSync(join(context, 'src/words.txt'), 'pear\napple\nfig\napple\n');
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      'FROM box',
      'ARG GREETING=hello',
      'WORKDIR /app',
      'RUN ["mkdir", "-p", "/app/exec-form"]',
      'COPY src/ ./src/',
      'RUN mkdir -p /app/out && cd /app/out && echo "$GREETING from $(pwd)" > greeting.txt',
      'RUN sort -u src/words.txt | tr a-z A-Z > out/words.txt && wc -l < out/words.txt > out/count.txt',
      'RUN for i in 1 2 3; do echo "line $i"; done > out/lines.txt; \\',
      '    if [ -f out/lines.txt ]; then echo present >> out/lines.txt; fi',
      'RUN ["sh", "-c", "echo exec form via sh -c > /app/out/exec.txt"]',
      'CMD cat out/greeting.txt out/words.txt out/count.txt out/lines.txt out/exec.txt; ls -d /app/exec-form',
    ].join('\n') + '\n',
  );
}, 120_000);
afterAll(() => {
  removeRoot(stateRoot);
  removeRoot(context);
});

describe('shell-form RUN through /bin/sh', () => {
  it('should build FROM box, run the image, and take a rebuild from the cache', async () => {
    const build = await berth(stateRoot, ['build', '--build-arg', 'GREETING=hi', '-t', 'shellform', context]);
    expect(build.stderr + build.stdout).not.toMatch(/error/i);
    expect(build.code).toBe(0);
    expect(build.stdout).toContain('Successfully tagged shellform:latest');

    const run = await berth(stateRoot, ['run', '--rm', 'shellform']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        'hi from /app/out',
        'APPLE',
        'FIG',
        'PEAR',
        '3',
        'line 1',
        'line 2',
        'line 3',
        'present',
        'exec form via sh -c',
        '/app/exec-form',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(0);

    const again = await berth(stateRoot, ['build', '--build-arg', 'GREETING=hi', '-t', 'shellform', context]);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/ ---> Using cache/g)?.length).toBe(9);
  }, 180_000);

  it('should stop at a failing shell-form RUN with its line and status, leaving no image', async () => {
    writeFileSync(
      join(context, 'Dockerfile.bad'),
      'FROM box\nRUN echo ok\nRUN test -d /nowhere && echo never\nRUN echo unreachable\n',
    );
    const r = await berth(stateRoot, ['build', '-f', join(context, 'Dockerfile.bad'), '-t', 'bad', context]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "The command '/bin/sh -c test -d /nowhere && echo never' returned a non-zero code: 1",
    );
    const images = await berth(stateRoot, ['images', '--format', '{{.Repository}}']);
    expect(images.stdout).not.toContain('bad');
  }, 120_000);
});
