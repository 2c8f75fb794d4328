/*
 * attack_escape.c - tries to break out of a host directory mounted read-write
 * at /mnt. The mount's host parent directory holds secret.txt whose content
 * contains "SECRET" (e.g. "BERTH-HOST-SECRET ..." or "TOP SECRET"); it must
 * never be readable, and nothing may be
 * created, renamed, linked, truncated or unlinked outside the mount.
 *
 * Every attempt is printed ("# ..."); the checks only assert that no attempt
 * yielded the secret (or the host's /etc/passwd). The runner must additionally
 * verify that the host secret is unchanged and that no new host files appeared
 * outside the mount directory. If the runner sets HOST_SECRET_PATH to the
 * absolute host path of secret.txt, the real path is tried as well.
 * If the runner also plants host-side symlinks inside the mount directory
 * (hostlink_rel -> ../secret.txt, hostlink_abs -> <absolute host path of
 * secret.txt>, hostlink_dir -> ..), following them must not leak either.
 * Works whether /mnt is its own preopen or a mount inside the "/" preopen.
 */
#include "check.h"
#include <dirent.h>

#define PASSWD_MARK "root:x:0:0:"

/* Nothing this program writes contains "SECRET", so any file content with it
   came from outside (the node runner's secret says "BERTH-HOST-SECRET", other
   runners may use e.g. "TOP SECRET"). Set SECRET_MARKER to add another marker. */
static int leaked(const char *data) {
    const char *extra = getenv("SECRET_MARKER");
    return strstr(data, "SECRET") || strstr(data, PASSWD_MARK) || (extra && *extra && strstr(data, extra));
}

/* Print the start of whatever was read, so a leak also shows up on stdout
   (runners check that the secret never appears there). */
static void show_content(const char *data, long n) {
    char esc[200];
    size_t o = 0;
    for (long i = 0; i < n && i < 48 && o + 5 < sizeof esc; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c >= 32 && c < 127 && c != '\\') esc[o++] = (char)c;
        else o += (size_t)snprintf(esc + o, sizeof esc - o, "\\x%02x", c);
    }
    esc[o] = 0;
    NOTE("  content starts: '%s'", esc);
}

/* libc open+read of path; checks no leak. */
static void try_read(const char *label, const char *path) {
    char buf[4096];
    long n = get_file(path, buf, sizeof buf);
    if (n < 0) {
        NOTE("%s: open('%s') denied: %s", label, path, errname((int)-n));
        CHECK(1, "%s: no leak", label);
    } else {
        NOTE("%s: open('%s') succeeded, %ld bytes", label, path, n);
        show_content(buf, n);
        CHECK(!leaked(buf), "%s: no leak (opened something, but not the secret)", label);
    }
}

/* raw path_open relative to dirfd + read; checks no leak. */
static void try_read_raw(const char *label, int dirfd, const char *rel, int follow) {
    int32_t fd = -1;
    int32_t e = rp_open(dirfd, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, rel, 0,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0, &fd);
    if (e) {
        NOTE("%s: path_open(fd %d, '%s') denied: %s", label, dirfd, rel, errname(e));
        CHECK(1, "%s: no leak", label);
        return;
    }
    char buf[4096] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    uint32_t n = 0;
    int32_t re = raw_fd_read(fd, P(&iov), 1, P(&n));
    raw_fd_close(fd);
    NOTE("%s: path_open(fd %d, '%s') succeeded; read -> %s, %u bytes", label, dirfd, rel, errname(re), n);
    show_content(buf, n);
    CHECK(!leaked(buf), "%s: no leak", label);
}

static void try_listing(const char *label, const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        NOTE("%s: opendir('%s') denied: %s", label, path, errname(errno));
        CHECK(1, "%s: secret.txt not listed", label);
        return;
    }
    int found = 0, count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        count++;
        if (!strcmp(de->d_name, "secret.txt")) found = 1;
    }
    closedir(d);
    NOTE("%s: opendir('%s') listed %d entries", label, path, count);
    CHECK(!found, "%s: secret.txt not listed", label);
}

static void try_symlink_read(const char *label, const char *target, const char *linkpath) {
    int r = symlink(target, linkpath);
    NOTE("%s: symlink('%s' -> '%s'): %s", label, linkpath, target, r == 0 ? "created" : errname(errno));
    try_read(label, linkpath);
}

static void show(const char *what, int rc) {
    NOTE("%s: %s", what, rc == 0 ? "SUCCEEDED" : errname(rc < 0 ? errno : rc));
}

int main(void) {
    const char *hostpath = getenv("HOST_SECRET_PATH");
    char p[1024];
    struct stat sb;

    /* ---- preopens visible to us ---- */
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
        char name[256] = {0};
        if (ps.u.dir.pr_name_len < sizeof name) (void)!__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len);
        NOTE("preopen fd %d: '%s'", fd, name);
        CHECK(!strcmp(name, "/") || !strcmp(name, "/mnt") || !strcmp(name, "."),
              "preopen fd %d ('%s') is only '/' or '/mnt'", fd, name);
    }
    CHECK(stat("/mnt", &sb) == 0 && S_ISDIR(sb.st_mode), "/mnt is a directory");
    int root = find_preopen("/");
    int mnt = find_preopen("/mnt");
    if (mnt < 0) {
        int32_t fd = -1;
        if (rp_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "mnt", __WASI_OFLAGS_DIRECTORY, dir_rights(root), inh_rights(root), 0, &fd) == 0)
            mnt = fd;
        NOTE("/mnt is not a preopen; opened it through '/' as fd %d", mnt);
    }
    CHECK(mnt >= 0, "have a directory fd for /mnt");
    CHECK_EQ(put_str("/mnt/victim.txt", "victim"), 0, "can write inside the mount");
    mkdir("/mnt/sub", 0755);
    mkdir("/mnt/d", 0755);

    /* ---- symlinks planted by the host inside the mount (the runner may
       create hostlink_rel -> ../secret.txt, hostlink_abs -> <host path of
       secret.txt>, hostlink_dir -> ..); absent links are simply ENOENT ---- */
    try_read("host-made symlink hostlink_rel", "/mnt/hostlink_rel");
    try_read("host-made symlink hostlink_abs", "/mnt/hostlink_abs");
    try_read("host-made dir symlink hostlink_dir/secret.txt", "/mnt/hostlink_dir/secret.txt");
    try_listing("listing host-made dir symlink hostlink_dir", "/mnt/hostlink_dir");
    if (mnt >= 0) {
        try_read_raw("raw host-made symlink hostlink_rel", mnt, "hostlink_rel", 1);
        try_read_raw("raw host-made symlink hostlink_abs", mnt, "hostlink_abs", 1);
        try_read_raw("raw host-made hostlink_dir/secret.txt", mnt, "hostlink_dir/secret.txt", 1);
    }
    int lw = open("/mnt/hostlink_rel", O_WRONLY | O_APPEND);
    show("open /mnt/hostlink_rel for append", lw >= 0 ? 0 : -1);
    if (lw >= 0) close(lw);

    /* ---- plain '..' walks ---- */
    try_read("dotdot 1", "/mnt/../secret.txt");
    try_read("dotdot 2", "/mnt/../../secret.txt");
    try_read("dotdot via sub", "/mnt/sub/../../secret.txt");
    try_read("dotdot via sub 2", "/mnt/sub/../../../secret.txt");
    try_read("dot dotdot", "/mnt/./../secret.txt");
    try_read("double slash dotdot", "/mnt//..//secret.txt");
    try_read("root dotdot", "/../secret.txt");
    try_read("root dotdot x4", "/../../../../secret.txt");
    strcpy(p, "/mnt");
    for (int i = 0; i < 50; i++) strcat(p, "/..");
    strcat(p, "/secret.txt");
    try_read("50 x dotdot", p);
    try_read("host passwd via dotdot", "/mnt/../../../../../../../../etc/passwd");
    try_read("host passwd absolute", "/etc/passwd");
    try_listing("listing /mnt/..", "/mnt/..");
    try_listing("listing /mnt/../..", "/mnt/../..");
    try_listing("listing /", "/");
    if (mnt >= 0) {
        try_read_raw("raw ../secret.txt", mnt, "../secret.txt", 1);
        try_read_raw("raw sub/../../secret.txt", mnt, "sub/../../secret.txt", 1);
        try_read_raw("raw ./../secret.txt", mnt, "./../secret.txt", 1);
        try_read_raw("raw ../mnt/../secret.txt", mnt, "../mnt/../secret.txt", 1);
        try_read_raw("raw absolute /secret.txt", mnt, "/secret.txt", 1);
        __wasi_filestat_t st;
        int32_t e = raw_path_filestat_get(mnt, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("../secret.txt"), P(&st));
        NOTE("raw path_filestat_get(mnt, '../secret.txt'): %s", errname(e));
        CHECK(e != 0, "stat of ../secret.txt relative to the mount fails");
    }
    if (hostpath) {
        try_read("host absolute path", hostpath);
        snprintf(p, sizeof p, "/mnt/../../../../../../../..%s", hostpath);
        try_read("host absolute path via dotdot", p);
        if (mnt >= 0) try_read_raw("raw host absolute path", mnt, hostpath, 1);
    }

    /* ---- symlinks created inside the mount pointing outside ---- */
    try_symlink_read("symlink ../secret.txt", "../secret.txt", "/mnt/l1");
    try_symlink_read("symlink /../secret.txt", "/../secret.txt", "/mnt/l2");
    try_symlink_read("symlink /secret.txt", "/secret.txt", "/mnt/l3");
    try_symlink_read("symlink sub/../../secret.txt", "sub/../../secret.txt", "/mnt/l4");
    try_symlink_read("symlink /proc/self/cwd/../secret.txt", "/proc/self/cwd/../secret.txt", "/mnt/l5");
    try_symlink_read("symlink /proc/self/root/etc/passwd", "/proc/self/root/etc/passwd", "/mnt/l6");
    if (hostpath) {
        try_symlink_read("symlink to host absolute path", hostpath, "/mnt/l7");
        snprintf(p, sizeof p, "/proc/self/root%s", hostpath);
        try_symlink_read("symlink /proc/self/root + host path", p, "/mnt/l8");
        snprintf(p, sizeof p, "../../../../../../../..%s", hostpath);
        try_symlink_read("symlink ../../.. + host path", p, "/mnt/l9");
    }
    int r = symlink("..", "/mnt/d/up");
    NOTE("symlink /mnt/d/up -> '..': %s", r == 0 ? "created" : errname(errno));
    try_read("through d/up/..", "/mnt/d/up/../secret.txt");
    r = symlink("../..", "/mnt/d/up2");
    NOTE("symlink /mnt/d/up2 -> '../..': %s", r == 0 ? "created" : errname(errno));
    try_read("through d/up2", "/mnt/d/up2/secret.txt");
    try_listing("listing through d/up2", "/mnt/d/up2");
    r = symlink("/", "/mnt/rootlink");
    NOTE("symlink /mnt/rootlink -> '/': %s", r == 0 ? "created" : errname(errno));
    try_read("through rootlink/../secret.txt", "/mnt/rootlink/../secret.txt");
    try_listing("listing through rootlink", "/mnt/rootlink");
    if (mnt >= 0) {
        try_read_raw("raw follow l1", mnt, "l1", 1);
        try_read_raw("raw follow d/up/../secret.txt", mnt, "d/up/../secret.txt", 1);
        try_read_raw("raw follow d/up2/secret.txt", mnt, "d/up2/secret.txt", 1);
    }
    /* symlink in the root pointing into the mount and out again */
    try_symlink_read("root symlink mnt/../../secret.txt", "mnt/../../secret.txt", "/esc_link");

    /* ---- /proc and friends ---- */
    try_read("/proc/self/environ", "/proc/self/environ");
    try_read("/proc/self/root/etc/passwd", "/proc/self/root/etc/passwd");
    try_read("/proc/self/fd/3", "/proc/self/fd/3");
    try_read("/dev/fd/3", "/dev/fd/3");

    /* ---- moving things across the boundary ---- */
    show("rename /mnt/victim.txt -> /mnt/../victim_out.txt", rename("/mnt/victim.txt", "/mnt/../victim_out.txt"));
    show("rename /mnt/../secret.txt -> /mnt/stolen.txt", rename("/mnt/../secret.txt", "/mnt/stolen.txt"));
    try_read("after rename-in", "/mnt/stolen.txt");
    show("link /mnt/../secret.txt -> /mnt/stolen_hl", link("/mnt/../secret.txt", "/mnt/stolen_hl"));
    try_read("after link-in", "/mnt/stolen_hl");
    put_str("/mnt/victim2.txt", "v2");
    show("link /mnt/victim2.txt -> /mnt/../planted_hl", link("/mnt/victim2.txt", "/mnt/../planted_hl"));
    if (mnt >= 0) {
        show("raw path_rename(mnt victim2.txt -> ../planted_rn)", raw_path_rename(mnt, S("victim2.txt"), mnt, S("../planted_rn")));
        show("raw path_link(mnt ../secret.txt -> stolen_hl2)", raw_path_link(mnt, 0, S("../secret.txt"), mnt, S("stolen_hl2")));
        try_read_raw("after raw link-in", mnt, "stolen_hl2", 0);
        show("raw path_rename(mnt ../secret.txt -> stolen2)", raw_path_rename(mnt, S("../secret.txt"), mnt, S("stolen2")));
        try_read_raw("after raw rename-in", mnt, "stolen2", 0);
        show("raw path_symlink('x', mnt, '../planted_sym')", raw_path_symlink(S("x"), mnt, S("../planted_sym")));
        show("raw path_create_directory(mnt, '../planted_dir')", raw_path_create_directory(mnt, S("../planted_dir")));
        int32_t fd = -1;
        int32_t e = rp_open(mnt, 0, "../planted.txt", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, 0, &fd);
        show("raw path_open(mnt, '../planted.txt', CREAT)", e);
        if (e == 0) raw_fd_close(fd);
        show("raw path_unlink_file(mnt, '../secret.txt')", raw_path_unlink_file(mnt, S("../secret.txt")));
        show("raw path_filestat_set_times(mnt, '../secret.txt')",
             raw_path_filestat_set_times(mnt, 0, S("../secret.txt"), 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
        e = rp_open(mnt, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "../secret.txt", __WASI_OFLAGS_TRUNC, RIGHTS_FILE, 0, 0, &fd);
        show("raw path_open(mnt, '../secret.txt', TRUNC)", e);
        if (e == 0) raw_fd_close(fd);
    }
    show("mkdir /mnt/../planted_dir2", mkdir("/mnt/../planted_dir2", 0755));
    int lfd = open("/mnt/../planted2.txt", O_WRONLY | O_CREAT, 0644);
    show("open /mnt/../planted2.txt O_CREAT", lfd >= 0 ? 0 : -1);
    if (lfd >= 0) close(lfd);
    show("unlink /mnt/../secret.txt", unlink("/mnt/../secret.txt"));
    lfd = open("/mnt/../secret.txt", O_WRONLY | O_TRUNC);
    show("open /mnt/../secret.txt O_TRUNC", lfd >= 0 ? 0 : -1);
    if (lfd >= 0) close(lfd);
    /* writing through a symlink that points outside */
    lfd = open("/mnt/l1", O_WRONLY | O_APPEND);
    show("open /mnt/l1 (-> ../secret.txt) for append", lfd >= 0 ? 0 : -1);
    if (lfd >= 0) {
        ssize_t w = write(lfd, "PWNED\n", 6);
        NOTE("write through /mnt/l1 returned %zd", w);
        close(lfd);
    }

    /* ---- cwd games ---- */
    if (chdir("/mnt/sub") == 0) {
        try_read("cwd /mnt/sub, ../../secret.txt", "../../secret.txt");
        if (chdir("../..") == 0) {
            char cwd[256] = "";
            getcwd(cwd, sizeof cwd);
            NOTE("after chdir(\"../..\") from /mnt/sub, getcwd = '%s'", cwd);
            try_read("cwd after climbing, secret.txt", "secret.txt");
            try_listing("listing cwd after climbing", ".");
        } else {
            NOTE("chdir(\"../..\") from /mnt/sub denied: %s", errname(errno));
        }
    }
    chdir("/");
    CHECK(stat("/mnt/sub", &sb) == 0, "mount still usable at the end");
    return finish();
}
