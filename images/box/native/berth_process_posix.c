/* Test-only: berth_process.h on POSIX (fork, execve, pipe, dup, waitpid, kill), so that box's sh can be
   built natively and compared with dash quickly. Not part of box.wasm; errors are WASI errno numbers,
   as the real host import returns them. */
#include <berth_process.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int32_t wasi_errno(int e) {
  switch (e) {
  case 0: return 0;
  case EACCES: return 2;
  case EAGAIN: return 6;
  case EBADF: return 8;
  case ECHILD: return 12;
  case EINTR: return 27;
  case EINVAL: return 28;
  case EISDIR: return 2;
  case ENOENT: return 44;
  case ENOEXEC: return 45;
  case ENOMEM: return 48;
  case ENOTDIR: return 54;
  case EPIPE: return 64;
  case ESRCH: return 68;
  default: return 29; /* EIO */
  }
}

static char **unpack(const char *s, uint32_t len) {
  int n = 0;
  for (uint32_t i = 0; i < len; i++)
    if (s[i] == 0) n++;
  char **v = calloc((size_t)n + 2, sizeof *v);
  int k = 0;
  for (uint32_t i = 0; i < len; i += (uint32_t)strlen(s + i) + 1) v[k++] = (char *)s + i;
  v[k] = NULL;
  return v;
}

int32_t berth_spawn(const berth_spawn_request *req, int32_t *pid_out) {
  char *path = strndup(req->path, req->path_len);
  char *cwd = strndup(req->cwd, req->cwd_len);
  char **argv = unpack(req->argv, req->argv_len);
  char **envp = unpack(req->envp, req->envp_len);
  int report[2];
  if (pipe(report) < 0) return wasi_errno(errno);
  fcntl(report[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) return wasi_errno(errno);
  if (pid == 0) {
    close(report[0]);
    int src[3] = {req->stdin_fd, req->stdout_fd, req->stderr_fd};
    int tmp[3];
    for (int i = 0; i < 3; i++) {
      int fd = src[i] >= 0 ? src[i] : open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
      tmp[i] = fcntl(fd, F_DUPFD, 20);
    }
    for (int i = 0; i < 3; i++) dup2(tmp[i], i);
    for (int fd = 3; fd < 1024; fd++)
      if (fd != report[1]) close(fd);
    if (chdir(cwd) != 0) {
      int e = errno;
      write(report[1], &e, sizeof e);
      _exit(127);
    }
    /* the child learns its cwd as $PWD */
    int n = 0;
    while (envp[n]) n++;
    char **env = calloc((size_t)n + 2, sizeof *env);
    int k = 0;
    for (int i = 0; i < n; i++)
      if (strncmp(envp[i], "PWD=", 4)) env[k++] = envp[i];
    char *pwd = malloc(strlen(cwd) + 5);
    strcpy(pwd, "PWD=");
    strcat(pwd, cwd);
    env[k++] = pwd;
    signal(SIGPIPE, SIG_DFL);
    if (req->flags & BERTH_SPAWN_BACKGROUND) signal(SIGINT, SIG_IGN);
    if (!strchr(path, '/')) {
      /* the program is looked up in the PATH of envp */
      const char *p = "/bin";
      for (int i = 0; env[i]; i++)
        if (!strncmp(env[i], "PATH=", 5)) p = env[i] + 5;
      char *dirs = strdup(p);
      for (char *d = strtok(dirs, ":"); d; d = strtok(NULL, ":")) {
        char *full = malloc(strlen(d) + strlen(path) + 2);
        strcpy(full, d);
        strcat(full, "/");
        strcat(full, path);
        if (access(full, X_OK) == 0) execve(full, argv, env);
        free(full);
      }
      errno = ENOENT;
    } else execve(path, argv, env);
    int e = errno;
    write(report[1], &e, sizeof e);
    _exit(127);
  }
  close(report[1]);
  int e = 0;
  ssize_t r = read(report[0], &e, sizeof e);
  close(report[0]);
  free(path);
  free(cwd);
  free(argv);
  free(envp);
  if (r == sizeof e) {
    waitpid(pid, NULL, 0);
    return wasi_errno(e);
  }
  *pid_out = pid;
  return 0;
}

int32_t berth_wait(int32_t pid, uint32_t options, int32_t *pid_out, int32_t *status_out) {
  int st;
  pid_t got = waitpid(pid, &st, (options & BERTH_WNOHANG) ? WNOHANG : 0);
  if (got < 0) return wasi_errno(errno);
  *pid_out = got;
  if (got == 0) return 0;
  *status_out = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return 0;
}

int32_t berth_pipe(int32_t *fds_out) {
  int p[2];
  if (pipe(p) < 0) return wasi_errno(errno);
  fds_out[0] = p[0];
  fds_out[1] = p[1];
  return 0;
}

int32_t berth_dup(int32_t fd, int32_t *fd_out) {
  int d = dup(fd);
  if (d < 0) return wasi_errno(errno);
  *fd_out = d;
  return 0;
}

int32_t berth_kill(int32_t pid, int32_t sig) {
  if (sig < 0 || sig > 64) return 28;
  return kill(pid, sig) < 0 ? wasi_errno(errno) : 0;
}

int32_t berth_getpid(int32_t *pid_out) {
  *pid_out = getpid();
  return 0;
}

int32_t berth_getppid(int32_t *pid_out) {
  *pid_out = getppid();
  return 0;
}
