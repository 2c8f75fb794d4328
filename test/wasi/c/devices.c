/*
 * devices.c - a container's /dev: null, zero, full, random and urandom behave as on Linux.
 *
 *   devices            run the checks (TAP-like lines, "# passed N failed M", exit 1 on a failure)
 *   devices urandom N  print N bytes of /dev/urandom as hex
 *   devices getrandom N  print N bytes of random_get as hex (a seeded run gives the same as urandom)
 */
#include "check.h"

#include <dirent.h>

static const char *const DEVICES[] = {"full", "null", "random", "urandom", "zero"};
#define NDEVICES (sizeof DEVICES / sizeof *DEVICES)

static int all_zero(const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0) return 0;
    return 1;
}

static int print_hex(const char *how, long n) {
    unsigned char buf[256];
    if (n <= 0 || n > (long)sizeof buf) return 2;
    if (strcmp(how, "urandom") == 0) {
        int fd = open("/dev/urandom", O_RDONLY);
        if (fd < 0 || read(fd, buf, (size_t)n) != n) { perror("/dev/urandom"); return 1; }
        close(fd);
    } else if (__wasi_random_get(buf, (size_t)n) != 0) {
        return 1;
    }
    for (long i = 0; i < n; i++) printf("%02x", buf[i]);
    putchar('\n');
    return 0;
}

static void check_device(const char *name, ino_t *ino) {
    char path[32];
    snprintf(path, sizeof path, "/dev/%s", name);
    int fd = open(path, O_RDWR);
    if (!CHECK(fd >= 0, "open %s O_RDWR", path)) return;

    struct stat st;
    CHECK_OK(fstat(fd, &st) == 0 ? 0 : errno, "fstat %s", path);
    CHECK(S_ISCHR(st.st_mode), "%s is a character device", path);
    CHECK_EQ(st.st_size, 0, "%s has size 0", path);
    *ino = st.st_ino;

    errno = 0;
    CHECK_EQ(isatty(fd), 0, "%s is not a terminal", path);
    CHECK_ERR(errno, ENOTTY, "isatty(%s) sets ENOTTY", path);

    unsigned char buf[64];
    memset(buf, 0xAA, sizeof buf);
    ssize_t n = read(fd, buf, sizeof buf);
    if (strcmp(name, "null") == 0) {
        CHECK_EQ(n, 0, "read %s is end of file", path);
    } else if (strcmp(name, "zero") == 0 || strcmp(name, "full") == 0) {
        CHECK_EQ(n, sizeof buf, "read %s fills the buffer", path);
        CHECK(all_zero(buf, sizeof buf), "read %s gives zeros", path);
        memset(buf, 0xAA, sizeof buf);
        CHECK_EQ(pread(fd, buf, 8, 4096), 8, "pread %s at 4096", path);
        CHECK(all_zero(buf, 8), "pread %s gives zeros", path);
    } else {
        CHECK_EQ(n, sizeof buf, "read %s fills the buffer", path);
        CHECK(!all_zero(buf, sizeof buf), "read %s gives random bytes", path);
        unsigned char again[64];
        CHECK_EQ(read(fd, again, sizeof again), sizeof again, "second read %s", path);
        CHECK(memcmp(buf, again, sizeof buf) != 0, "two reads of %s differ", path);
    }

    const char msg[] = "discarded\n";
    errno = 0;
    n = write(fd, msg, sizeof msg - 1);
    if (strcmp(name, "full") == 0) {
        CHECK_EQ(n, -1, "write %s fails", path);
        CHECK_ERR(errno, ENOSPC, "write %s is ENOSPC", path);
    } else {
        CHECK_EQ(n, sizeof msg - 1, "write %s takes every byte", path);
    }

    // A device has no position: every seek answers 0, as Linux's mem.c does.
    CHECK_EQ(lseek(fd, 100, SEEK_SET), 0, "lseek %s 100 SEEK_SET", path);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0, "lseek %s SEEK_CUR after reads", path);
    CHECK_EQ(lseek(fd, -5, SEEK_END), 0, "lseek %s -5 SEEK_END", path);
    errno = 0;
    CHECK_EQ(ftruncate(fd, 0), -1, "ftruncate %s fails", path);
    CHECK_ERR(errno, EINVAL, "ftruncate %s is EINVAL", path);
    close(fd);

    CHECK_OK(stat(path, &st) == 0 ? 0 : errno, "stat %s", path);
    CHECK(S_ISCHR(st.st_mode), "stat %s says character device", path);
}

int main(int argc, char **argv) {
    if (argc == 3) return print_hex(argv[1], strtol(argv[2], NULL, 10));

    ino_t inos[NDEVICES];
    for (size_t i = 0; i < NDEVICES; i++) check_device(DEVICES[i], &inos[i]);
    for (size_t i = 0; i < NDEVICES; i++)
        for (size_t j = i + 1; j < NDEVICES; j++)
            CHECK(inos[i] != inos[j], "/dev/%s and /dev/%s have different inodes", DEVICES[i], DEVICES[j]);

    // The shell's `> /dev/null` opens with O_CREAT|O_TRUNC: allowed, and ignored, on a device.
    int fd = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "open /dev/null O_WRONLY|O_CREAT|O_TRUNC");
    CHECK_EQ(write(fd, "x", 1), 1, "write through the truncating open");
    CHECK_EQ(isatty(fd), 0, "write-only /dev/null is not a terminal");
    close(fd);

    struct stat st;
    CHECK_OK(stat("/dev", &st) == 0 ? 0 : errno, "stat /dev");
    CHECK(S_ISDIR(st.st_mode), "/dev is a directory");

    DIR *dir = opendir("/dev");
    if (CHECK(dir != NULL, "opendir /dev")) {
        char names[256] = "";
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            CHECK_EQ(e->d_type, DT_CHR, "readdir: /dev/%s is a character device", e->d_name);
            strncat(names, e->d_name, sizeof names - strlen(names) - 2);
            strcat(names, " ");
        }
        closedir(dir);
        CHECK_STR(names, "full null random urandom zero ", "readdir /dev lists the devices");
    }

    // The set of devices is fixed.
    errno = 0;
    CHECK_EQ(open("/dev/new", O_WRONLY | O_CREAT, 0644), -1, "create /dev/new fails");
    CHECK_ERR(errno, EROFS, "create /dev/new is EROFS");
    errno = 0;
    CHECK_EQ(unlink("/dev/null"), -1, "unlink /dev/null fails");
    CHECK_ERR(errno, EROFS, "unlink /dev/null is EROFS");
    errno = 0;
    CHECK_EQ(mkdir("/dev/shm", 0755), -1, "mkdir /dev/shm fails");
    CHECK_ERR(errno, EROFS, "mkdir /dev/shm is EROFS");
    errno = 0;
    CHECK_EQ(rmdir("/dev"), -1, "rmdir /dev fails");
    CHECK_ERR_ANY(errno, ERRS(EBUSY, ENOTEMPTY), "rmdir /dev is EBUSY");
    errno = 0;
    CHECK_EQ(open("/dev/stdout", O_WRONLY), -1, "there is no /dev/stdout (no /proc)");
    CHECK_ERR(errno, ENOENT, "/dev/stdout is ENOENT");

    // stdio stays what it was: a terminal-like stream with no seek right.
    CHECK_EQ(lseek(1, 0, SEEK_CUR), -1, "stdout is not seekable");
    return finish();
}
