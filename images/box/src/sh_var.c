/* sh: variables, function definitions, `local` frames, and the snapshots that let a subshell run
   in-process (everything it changes is put back when it ends). */
#include "sh.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct var {
  struct var *next;
  char *name, *value; /* value NULL: declared (export X) but unset */
  int flags;
};
#define NBUCKETS 128
static struct var *vtab[NBUCKETS];

static unsigned hash(const char *s) {
  unsigned h = 5381;
  while (*s) h = h * 33 + (unsigned char)*s++;
  return h % NBUCKETS;
}

static struct var *lookup(const char *name) {
  for (struct var *v = vtab[hash(name)]; v; v = v->next)
    if (!strcmp(v->name, name)) return v;
  return NULL;
}

static char *xstrdup(const char *s) {
  char *p = strdup(s);
  if (!p) {
    fputs("sh: out of memory\n", stderr);
    exit(2);
  }
  return p;
}

const char *var_get(const char *name) {
  struct var *v = lookup(name);
  return v ? v->value : NULL;
}

int var_flags(const char *name) {
  struct var *v = lookup(name);
  return v ? v->flags : 0;
}

static struct var *create(const char *name) {
  struct var *v = calloc(1, sizeof *v);
  v->name = xstrdup(name);
  unsigned h = hash(name);
  v->next = vtab[h];
  vtab[h] = v;
  return v;
}

int var_set(const char *name, const char *value, int flags) {
  struct var *v = lookup(name);
  if (v && (v->flags & V_READONLY)) {
    sh_error("%s: is read only", name);
    return -1;
  }
  if (!v) v = create(name);
  if (value) {
    char *nv = xstrdup(value);
    free(v->value);
    v->value = nv;
  }
  v->flags |= flags;
  return 0;
}

void var_setflags(const char *name, int flags) {
  struct var *v = lookup(name);
  if (!v) v = create(name);
  v->flags |= flags;
}

int var_unset(const char *name) {
  unsigned h = hash(name);
  for (struct var **pp = &vtab[h]; *pp; pp = &(*pp)->next) {
    struct var *v = *pp;
    if (strcmp(v->name, name)) continue;
    if (v->flags & V_READONLY) {
      sh_error("%s: is read only", name);
      return -1;
    }
    *pp = v->next;
    free(v->name);
    free(v->value);
    free(v);
    return 0;
  }
  return 0;
}

void vars_each(void (*fn)(const char *, const char *, int, void *), void *ctx) {
  /* sorted by name, as `set` and `export -p` print them */
  int n = 0;
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = vtab[i]; v; v = v->next) n++;
  struct var **all = malloc(sizeof *all * (size_t)(n + 1));
  n = 0;
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = vtab[i]; v; v = v->next) all[n++] = v;
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(all[j - 1]->name, all[j]->name) > 0; j--) {
      struct var *t = all[j];
      all[j] = all[j - 1];
      all[j - 1] = t;
    }
  for (int i = 0; i < n; i++) fn(all[i]->name, all[i]->value, all[i]->flags, ctx);
  free(all);
}

char **env_build(strlist *extra) {
  strlist l = {0};
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = vtab[i]; v; v = v->next) {
      if (!(v->flags & V_EXPORT) || !v->value) continue;
      int overridden = 0;
      size_t nl = strlen(v->name);
      for (int k = 0; extra && k < extra->n; k++)
        if (!strncmp(extra->v[k], v->name, nl) && extra->v[k][nl] == '=') overridden = 1;
      if (overridden) continue;
      size_t len = nl + strlen(v->value) + 2;
      char *s = st_alloc(len);
      snprintf(s, len, "%s=%s", v->name, v->value);
      sl_add(&l, s);
    }
  for (int k = 0; extra && k < extra->n; k++) sl_add(&l, extra->v[k]);
  if (!l.v) sl_add(&l, NULL), l.n = 0;
  return l.v;
}

/* ------------------------------------------------------------------ local */

struct saved {
  struct saved *next;
  char *name, *value;
  int flags, existed, depth;
};
static struct saved *localstack;

void var_local(const char *name) {
  for (struct saved *s = localstack; s && s->depth == sh.funcdepth; s = s->next)
    if (!strcmp(s->name, name)) return;
  struct saved *s = calloc(1, sizeof *s);
  struct var *v = lookup(name);
  s->name = xstrdup(name);
  s->existed = v != NULL;
  if (v) {
    s->value = v->value ? xstrdup(v->value) : NULL;
    s->flags = v->flags;
  }
  s->depth = sh.funcdepth;
  s->next = localstack;
  localstack = s;
}

void *locals_mark(void) { return localstack; }

/* Puts back the variables saved since mark (the function returns). */
void locals_restore(void *mark) {
  while (localstack && localstack != mark) {
    struct saved *s = localstack;
    localstack = s->next;
    struct var *v = lookup(s->name);
    if (!s->existed) {
      if (v) {
        v->flags &= ~V_READONLY;
        var_unset(s->name);
      }
    } else {
      if (!v) v = create(s->name);
      free(v->value);
      v->value = s->value;
      v->flags = s->flags;
      s->value = NULL;
    }
    free(s->name);
    free(s->value);
    free(s);
  }
}

/* ------------------------------------------------------------------ functions */

struct func {
  struct func *next;
  char *name;
  node *body;
};
static struct func *funcs;

node *func_get(const char *name) {
  for (struct func *f = funcs; f; f = f->next)
    if (!strcmp(f->name, name)) return f->body;
  return NULL;
}

void func_set(const char *name, node *body) {
  for (struct func *f = funcs; f; f = f->next)
    if (!strcmp(f->name, name)) {
      f->body = body;
      return;
    }
  struct func *f = calloc(1, sizeof *f);
  f->name = xstrdup(name);
  f->body = body;
  f->next = funcs;
  funcs = f;
}

int func_unset(const char *name) {
  for (struct func **pp = &funcs; *pp; pp = &(*pp)->next)
    if (!strcmp((*pp)->name, name)) {
      struct func *f = *pp;
      *pp = f->next;
      free(f->name);
      free(f);
      return 0;
    }
  return 0;
}

void funcs_each(void (*fn)(const char *name, node *body, void *ctx), void *ctx) {
  for (struct func *f = funcs; f; f = f->next) fn(f->name, f->body, ctx);
}

/* ------------------------------------------------------------------ snapshots */

struct snapshot {
  struct var *vars; /* a flat list */
  struct func *funcs;
  struct saved *localstack;
  struct shell sh;
  char **params;
  char *cwd;
};

void *state_save(void) {
  struct snapshot *s = calloc(1, sizeof *s);
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = vtab[i]; v; v = v->next) {
      struct var *c = calloc(1, sizeof *c);
      c->name = xstrdup(v->name);
      c->value = v->value ? xstrdup(v->value) : NULL;
      c->flags = v->flags;
      c->next = s->vars;
      s->vars = c;
    }
  for (struct func *f = funcs; f; f = f->next) {
    struct func *c = calloc(1, sizeof *c);
    c->name = xstrdup(f->name);
    c->body = f->body;
    c->next = s->funcs;
    s->funcs = c;
  }
  s->localstack = localstack;
  s->sh = sh;
  s->params = malloc(sizeof(char *) * (size_t)(sh.nparams + 1));
  for (int i = 0; i < sh.nparams; i++) s->params[i] = xstrdup(sh.params[i]);
  s->cwd = getcwd(NULL, 0);
  for (int i = 0; i < 65; i++)
    if (sh.traps[i]) s->sh.traps[i] = xstrdup(sh.traps[i]);
  return s;
}

void state_restore(void *p) {
  struct snapshot *s = p;
  for (int i = 0; i < NBUCKETS; i++) {
    while (vtab[i]) {
      struct var *v = vtab[i];
      vtab[i] = v->next;
      free(v->name);
      free(v->value);
      free(v);
    }
  }
  while (s->vars) {
    struct var *v = s->vars;
    s->vars = v->next;
    unsigned h = hash(v->name);
    v->next = vtab[h];
    vtab[h] = v;
  }
  while (funcs) {
    struct func *f = funcs;
    funcs = f->next;
    free(f->name);
    free(f);
  }
  funcs = s->funcs;
  /* frames pushed inside the subshell are dropped: the variables were put back wholesale */
  while (localstack && localstack != s->localstack) {
    struct saved *l = localstack;
    localstack = l->next;
    free(l->name);
    free(l->value);
    free(l);
  }
  for (int i = 0; i < sh.nparams; i++) free(sh.params[i]);
  free(sh.params);
  for (int i = 0; i < 65; i++) free(sh.traps[i]);
  int status = sh.status;
  sh = s->sh;
  sh.status = status;
  sh.params = s->params;
  if (s->cwd) {
    chdir(s->cwd);
    free(s->cwd);
  }
  free(s);
}
