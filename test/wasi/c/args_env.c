/*
 * args_env.c - args_sizes_get / args_get / environ_sizes_get / environ_get.
 *
 * Expected invocation (see cases.json):
 *   argv = ["args_env", "hello", "with space", "\u00fcn\u00efc\u00f6d\u00e9", ""]
 *   env  = { "BERTH_FOO": "bar", "BERTH_EMPTY": "", "BERTH_EQ": "a=b=c" }
 * The runtime may add further environment variables; only these are required.
 */
#include "check.h"

extern char **environ;

static const char *expected_args[] = {"hello", "with space", "\xc3\xbc" "n" "\xc3\xaf" "c" "\xc3\xb6" "d" "\xc3\xa9", ""};
#define NEXP ((int)(sizeof expected_args / sizeof *expected_args))

int main(int argc, char **argv) {
    /* ---- libc view ---- */
    CHECK_EQ(argc, NEXP + 1, "argc counts program name plus %d arguments", NEXP);
    CHECK(argv[0] != NULL && argv[0][0] != 0, "argv[0] is a non-empty program name");
    for (int i = 0; i < NEXP && i + 1 < argc; i++)
        CHECK_STR(argv[i + 1], expected_args[i], "argv[%d] round-trips exactly", i + 1);
    CHECK(argc < 1 || argv[argc] == NULL, "argv[argc] is NULL");

    CHECK_STR(getenv("BERTH_FOO"), "bar", "getenv BERTH_FOO");
    CHECK_STR(getenv("BERTH_EMPTY"), "", "getenv BERTH_EMPTY (empty value kept)");
    CHECK_STR(getenv("BERTH_EQ"), "a=b=c", "getenv BERTH_EQ keeps '=' inside the value");
    CHECK(getenv("BERTH_NOT_SET") == NULL, "getenv of an unset variable is NULL");

    /* ---- raw args ---- */
    uint32_t rargc = 0xdead, rbufsz = 0xdead;
    CHECK_OK(raw_args_sizes_get(P(&rargc), P(&rbufsz)), "args_sizes_get succeeds");
    CHECK_EQ(rargc, argc, "args_sizes_get count == argc");
    size_t want = 0;
    for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
    CHECK_EQ(rbufsz, want, "args_sizes_get buffer size == sum(strlen+1)");

    char **rargv = calloc(rargc + 1, sizeof(char *));
    char *rbuf = malloc(rbufsz + 16);
    memset(rbuf, 0x5a, rbufsz + 16);
    CHECK_OK(raw_args_get(P(rargv), P(rbuf)), "args_get succeeds");
    int inside = 1, terminated = 1, same = 1;
    for (uint32_t i = 0; i < rargc; i++) {
        if (rargv[i] < rbuf || rargv[i] >= rbuf + rbufsz) { inside = 0; continue; }
        size_t room = (size_t)(rbuf + rbufsz - rargv[i]);
        if (strnlen(rargv[i], room) == room) terminated = 0;
        else if ((int)i < argc && strcmp(rargv[i], argv[i]) != 0) same = 0;
    }
    CHECK(inside, "args_get pointers all point into argv_buf");
    CHECK(terminated, "args_get strings are NUL terminated inside argv_buf");
    CHECK(same, "args_get strings equal libc argv");
    CHECK(rargc == 0 || rargv[0] == rbuf, "args_get first pointer is the start of argv_buf");
    CHECK_EQ((unsigned char)rbuf[rbufsz], 0x5a, "args_get does not write past argv_buf_size");

    /* ---- raw environ ---- */
    uint32_t ecount = 0xdead, ebufsz = 0xdead;
    CHECK_OK(raw_environ_sizes_get(P(&ecount), P(&ebufsz)), "environ_sizes_get succeeds");
    CHECK(ecount >= 3, "environ_sizes_get count >= 3 (got %u)", (unsigned)ecount);
    char **renv = calloc(ecount + 1, sizeof(char *));
    char *ebuf = malloc(ebufsz + 16);
    memset(ebuf, 0x5a, ebufsz + 16);
    CHECK_OK(raw_environ_get(P(renv), P(ebuf)), "environ_get succeeds");
    size_t esum = 0;
    int ok_form = 1, found_foo = 0, found_empty = 0, found_eq = 0, ein = 1;
    for (uint32_t i = 0; i < ecount; i++) {
        if (renv[i] < ebuf || renv[i] >= ebuf + ebufsz) { ein = 0; continue; }
        esum += strlen(renv[i]) + 1;
        if (!strchr(renv[i], '=')) ok_form = 0;
        if (!strcmp(renv[i], "BERTH_FOO=bar")) found_foo = 1;
        if (!strcmp(renv[i], "BERTH_EMPTY=")) found_empty = 1;
        if (!strcmp(renv[i], "BERTH_EQ=a=b=c")) found_eq = 1;
    }
    CHECK(ein, "environ_get pointers all point into environ_buf");
    CHECK_EQ(esum, ebufsz, "environ_sizes_get buffer size == sum(strlen+1)");
    CHECK(ok_form, "every environ entry has KEY=VALUE form");
    CHECK(found_foo, "environ_get contains BERTH_FOO=bar");
    CHECK(found_empty, "environ_get contains BERTH_EMPTY=");
    CHECK(found_eq, "environ_get contains BERTH_EQ=a=b=c");
    CHECK_EQ((unsigned char)ebuf[ebufsz], 0x5a, "environ_get does not write past environ_buf_size");

    int libc_count = 0;
    for (char **e = environ; e && *e; e++) libc_count++;
    CHECK_EQ(libc_count, ecount, "libc environ has the same number of entries");

    /* calling the size functions again is stable */
    uint32_t a2 = 0, b2 = 0;
    CHECK_OK(raw_args_sizes_get(P(&a2), P(&b2)), "args_sizes_get second call");
    CHECK(a2 == rargc && b2 == rbufsz, "args_sizes_get is stable across calls");

    /* setenv/unsetenv are purely in-guest but must not break anything */
    CHECK_EQ(setenv("BERTH_NEW", "x", 1), 0, "setenv works");
    CHECK_STR(getenv("BERTH_NEW"), "x", "getenv sees setenv value");
    return finish();
}
