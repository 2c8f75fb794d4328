/*
 * berth_process: Berth's host import module for starting programs (ABI version 1).
 *
 * WASI preview1 cannot start processes. A module that imports this module can start another program of
 * the same container, connect its stdio, and wait for it. A module that does not import it stays portable
 * to any WASI runtime. The full contract is docs/berth_process.md; this header is its C face.
 *
 * Every function returns a WASI errno (__WASI_ERRNO_SUCCESS == 0 on success) and writes its results
 * through pointers, like wasi_snapshot_preview1. Every pointer is checked by the host (EFAULT).
 */
#ifndef BERTH_PROCESS_H
#define BERTH_PROCESS_H

#include <stdint.h>

#define BERTH_PROCESS_IMPORT(name) __attribute__((import_module("berth_process"), import_name(name)))

/* berth_spawn_request.flags */
/* Not interrupted by the terminal's Ctrl-C (a shell's `cmd &`). */
#define BERTH_SPAWN_BACKGROUND 1u

/* berth_wait options */
#define BERTH_WNOHANG 1u

/* Pipe capacity in bytes (Linux's default). Writes of at most this many bytes are atomic. */
#define BERTH_PIPE_BUF 65536

/* wasm32 layout: 12 x 4 bytes = 48 bytes, 4-byte aligned. */
typedef struct berth_spawn_request {
  /* The program. With a '/', a path (relative ones from cwd); without, looked up in PATH from envp
     (default PATH=/bin). A WASI module runs; a file starting with "#!" runs its interpreter as
     execve() does (interpreter, optional single argument, the script's path, argv[1..]); anything else
     is ENOEXEC (a shell then runs it as a script, as POSIX says). */
  const char *path;
  uint32_t path_len;
  /* argv, argv[0] included: each string NUL-terminated, concatenated; argv_len counts every byte. */
  const char *argv;
  uint32_t argv_len;
  /* The environment: "KEY=value\0" strings concatenated. The child gets exactly this. */
  const char *envp;
  uint32_t envp_len;
  /* The working directory, an absolute guest path; it must be a directory (else ENOENT/ENOTDIR). The
     child gets it as $PWD (overriding any PWD in envp), which is how WASI programs learn their cwd. */
  const char *cwd;
  uint32_t cwd_len;
  /* The caller's fds the child gets as its 0, 1 and 2: any open fd (a file, a pipe end, a stdio
     stream). The child shares the open file description (offset, append) as after fork+dup2. -1
     gives the child an fd that reads EOF / discards writes (like /dev/null). */
  int32_t stdin_fd;
  int32_t stdout_fd;
  int32_t stderr_fd;
  /* BERTH_SPAWN_* */
  uint32_t flags;
} berth_spawn_request;

/* Starts a program. Errors: NOENT (not found), NOEXEC (not a runnable module), ACCES (a directory),
   BADF (a stdio fd is not open), AGAIN (the container's process limit), NOMEM, FAULT, INVAL. */
BERTH_PROCESS_IMPORT("spawn")
int32_t berth_spawn(const berth_spawn_request *req, int32_t *pid_out);

/* Waits for a child of the caller to end and reaps it. pid -1 waits for any child. *status_out is the
   status a shell reports as $?: the exit code (0..255), or 128 + the signal number when the child was
   killed (SIGINT 130, SIGKILL 137, SIGPIPE 141, SIGTERM 143). With BERTH_WNOHANG and no child ended
   yet, *pid_out is 0. Errors: CHILD (no such child), INTR (Ctrl-C on the terminal while waiting). */
BERTH_PROCESS_IMPORT("wait")
int32_t berth_wait(int32_t pid, uint32_t options, int32_t *pid_out, int32_t *status_out);

/* Creates a pipe: fds_out[0] is the read end, fds_out[1] the write end; BERTH_PIPE_BUF bytes of
   buffer. A read on an empty pipe blocks until data or until every write end is closed (then 0, EOF);
   a write on a full pipe blocks until there is room; a write when every read end is closed fails with
   PIPE. Ends are closed with fd_close; a process's ends close when it ends. */
BERTH_PROCESS_IMPORT("pipe")
int32_t berth_pipe(int32_t *fds_out);

/* Duplicates fd onto the lowest free fd (POSIX dup): both share one open file description. With
   fd_renumber this gives dup2. Errors: BADF. */
BERTH_PROCESS_IMPORT("dup")
int32_t berth_dup(int32_t fd, int32_t *fd_out);

/* Sends a signal to a process of the container. sig 0 only checks that it exists; every other signal
   ends it (WASI programs cannot handle signals) with status 128 + sig. pid 1 is the container's first
   process: signalling it stops the container. Errors: SRCH (no such process), INVAL (sig out of 0..64). */
BERTH_PROCESS_IMPORT("kill")
int32_t berth_kill(int32_t pid, int32_t sig);

/* The caller's pid (the container's first process is 1) and its parent's (0 for pid 1). */
BERTH_PROCESS_IMPORT("getpid")
int32_t berth_getpid(int32_t *pid_out);
BERTH_PROCESS_IMPORT("getppid")
int32_t berth_getppid(int32_t *pid_out);

#endif
