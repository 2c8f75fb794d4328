/* box: shared helpers for the applets (options, messages, sizes, lines, paths). */
#ifndef BOX_LIB_H
#define BOX_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

/* The name used in messages ("ls: ..."), set by the dispatcher before an applet runs. */
extern const char *applet;
/* Set while an applet runs inside another one (xargs, env): fatal errors then end only that applet. */
extern int box_nested;

/* An applet's entry point. */
typedef int (*applet_fn)(int argc, char **argv);
applet_fn find_applet(const char *name);
int run_applet(const char *name, int argc, char **argv);
/* Runs a command for xargs, find -exec and env: box's applets in-process (sh excepted: it keeps state
   and exits), anything else started through Berth's berth_process and waited for. Returns its exit
   status; 127 (not found) and 126 (cannot run) after a message. */
int run_command(int argc, char **argv);

/* ---- messages (GNU style: "prog: message") ---- */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warnx_ plus ": strerror(errno)". */
void warne(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints and exits with code (or returns it, when nested: see box_exit). */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void die_e(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Try 'prog --help' for more information." then exit(code). */
_Noreturn void usage_exit(int code);
_Noreturn void box_exit(int code);
/* glibc's wording for an errno (musl's differs for a few). */
const char *errstr(int err);
/* GNU's quote(): 'name' (shell-escaped when it holds a quote or control characters). */
const char *q(const char *s);
const char *q2(const char *s); /* a second buffer, for two quotes in one message */

/* ---- options: getopt_long-like, reentrant, GNU argument permutation ---- */
enum { ARG_NONE = 0, ARG_REQ = 1, ARG_OPT = 2 };
struct lopt {
  const char *name;
  int has_arg;
  int val;
};
struct opts {
  int argc;
  char **argv;
  int i;         /* next argv index */
  int ci;        /* position inside a cluster of short options */
  char *arg;     /* the option's argument */
  int permute;   /* 1: GNU (options anywhere); 0: POSIX (stop at the first operand) */
  int numeric;   /* 1: "-5" style arguments are returned as '#' with arg pointing at the digits */
  char **ops;    /* operands collected */
  int nops;
};
void opts_init(struct opts *o, int argc, char **argv, int permute);
/* Returns the option character (or a long option's val), -1 at the end (operands in o->ops), '?' after
   printing GNU's "invalid option" message. shortspec is getopt's ("ab:c::"). */
int opts_next(struct opts *o, const char *shortspec, const struct lopt *longs);

/* ---- numbers and sizes ---- */
/* Parses a decimal integer (optional sign); returns 0 and sets *out, or -1. */
int parse_int(const char *s, long long *out);
/* A size with an optional GNU multiplier suffix (b k K M G T, KB, KiB, ...). */
int parse_size(const char *s, long long *out);
/* Human-readable size like GNU's -h: 1023, 1.0K, 1.5K, 10K, 1.1M (rounded up, powers of 1024). */
char *human(char *buf, unsigned long long n);

/* ---- lines ---- */
/* Reads a line (with its '\n' if any) into *buf; returns its length, or -1 at EOF. */
long read_line(FILE *f, char **buf, size_t *cap);
/* Opens "-" as stdin; prints "prog: name: strerror" and returns NULL on failure. */
FILE *open_input(const char *name);
void close_input(FILE *f);
/* Whole-stream read; returns malloc'd data and its size. */
char *read_all(FILE *f, size_t *len);

/* ---- paths and files ---- */
char *path_join(const char *dir, const char *name);
const char *base_name(const char *p); /* pointer into p, trailing slashes ignored only if not all '/' */
/* Canonical absolute path; mode 0: all but the last must exist, 1: all must exist, 2: none need exist.
   Returns malloc'd path or NULL with errno set. */
char *canonicalize(const char *path, int mode);
/* POSIX permission bits WASI cannot report, made up the same way everywhere (see README). */
mode_t full_mode(const char *path, const struct stat *st);
/* 512-byte blocks a file occupies: WASI has no st_blocks, so ext4's 4 KiB allocation is assumed. */
unsigned long long blocks512(const struct stat *st);
void mode_string(mode_t m, char out[11]);
const char *file_type_name(const struct stat *st);
int is_dir(const char *p);
/* Recursively removes; returns 0 or -1 (messages printed with the applet's prefix). */
int remove_tree(const char *path, int force, int verbose);
/* Copies a file's bytes; returns 0 or -1 with errno. */
int copy_data(int in, int out);
/* Backslash escapes as echo -e / printf %b interpret them. Returns 1 if \c was seen (stop output). */
int unescape(const char *s, char *out, size_t *outlen, int printf_style);
time_t now_seconds(void);

#endif
