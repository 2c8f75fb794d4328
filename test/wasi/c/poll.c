/*
 * poll.c - poll_oneoff: clock subscriptions (relative, absolute, past,
 * several at once, bad clock id), fd_read on stdin (piped data, then EOF),
 * fd_write on stdout and on a file, several subscriptions at once, bad fd,
 * bad tag; libc poll(). Expects stdin = "hello poll\n" (then EOF).
 * Scratch: /poll_*.
 */
#include "check.h"
#include <poll.h>

#define MS 1000000ull

static void sub_clock(__wasi_subscription_t *s, uint64_t ud, uint32_t id, uint64_t timeout, int abs) {
    memset(s, 0, sizeof *s);
    s->userdata = ud;
    s->u.tag = __WASI_EVENTTYPE_CLOCK;
    s->u.u.clock.id = id;
    s->u.u.clock.timeout = timeout;
    s->u.u.clock.precision = 0;
    s->u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
}
static void sub_fd(__wasi_subscription_t *s, uint64_t ud, int type, int fd) {
    memset(s, 0, sizeof *s);
    s->userdata = ud;
    s->u.tag = (uint8_t)type;
    s->u.u.fd_read.file_descriptor = (uint32_t)fd;
}
static int32_t poll_n(__wasi_subscription_t *in, __wasi_event_t *out, int n, uint32_t *nev) {
    memset(out, 0xAB, sizeof(__wasi_event_t) * (size_t)n);
    *nev = 0xFFFFFFFF;
    int32_t e = raw_poll_oneoff(P(in), P(out), n, P(nev));
    if (e != 0 || *nev > (uint32_t)n) *nev = 0; /* never trust nevents on error */
    return e;
}
static uint64_t mono(void) { return now_ns(__WASI_CLOCKID_MONOTONIC); }
static int find_ud(__wasi_event_t *ev, uint32_t n, uint64_t ud) {
    for (uint32_t i = 0; i < n; i++) if (ev[i].userdata == ud) return (int)i;
    return -1;
}

int main(void) {
    __wasi_subscription_t s[8];
    __wasi_event_t ev[8];
    uint32_t nev;
    uint64_t t0, dt;

    CHECK_ERR(raw_poll_oneoff(P(s), P(ev), 0, P(&nev)), __WASI_ERRNO_INVAL, "poll_oneoff with 0 subscriptions -> EINVAL");

    /* relative clock */
    sub_clock(&s[0], 0x1234, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 1, &nev), "poll_oneoff relative 20ms clock");
    dt = mono() - t0;
    CHECK_EQ(nev, 1, "one event");
    CHECK_UEQ(ev[0].userdata, 0x1234, "event userdata echoes the subscription");
    CHECK_EQ(ev[0].type, __WASI_EVENTTYPE_CLOCK, "event type CLOCK");
    CHECK_EQ(ev[0].error, 0, "clock event error 0");
    CHECK(dt >= 19 * MS, "relative clock waited >= 20ms (waited %llu us)", (unsigned long long)(dt / 1000));
    CHECK(dt < 2000 * MS, "relative clock returned within 2s");

    /* relative realtime clock also works */
    sub_clock(&s[0], 7, __WASI_CLOCKID_REALTIME, 5 * MS, 0);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 1, &nev), "poll_oneoff relative 5ms REALTIME clock");
    CHECK(nev == 1 && ev[0].type == __WASI_EVENTTYPE_CLOCK && mono() - t0 >= 4 * MS, "realtime relative clock fired after ~5ms");

    sub_clock(&s[0], 10, __WASI_CLOCKID_MONOTONIC, 0, 0);
    CHECK_OK(poll_n(s, ev, 1, &nev), "poll_oneoff relative timeout 0");
    CHECK_EQ(nev, 1, "timeout 0 fires");

    /* two clocks: the earlier one wins */
    sub_clock(&s[0], 100, __WASI_CLOCKID_MONOTONIC, 400 * MS, 0);
    sub_clock(&s[1], 200, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 2, &nev), "poll_oneoff with two clocks");
    dt = mono() - t0;
    CHECK(nev >= 1 && find_ud(ev, nev, 200) >= 0, "the 10ms clock fired");
    CHECK(find_ud(ev, nev, 100) < 0, "the 400ms clock did not fire yet");
    CHECK(dt < 300 * MS, "returned after the earlier clock (%llu ms)", (unsigned long long)(dt / MS));

    /* invalid clock id: error either from the call or in the event */
    sub_clock(&s[0], 300, 99, 1 * MS, 0);
    int32_t e = poll_n(s, ev, 1, &nev);
    int einval = e == __WASI_ERRNO_INVAL || (e == 0 && nev == 1 && ev[0].error == __WASI_ERRNO_INVAL);
    CHECK(einval, "clock id 99 -> EINVAL (returned or in event.error) [ret %d, nevents %u, event error %d]", e, nev, nev ? ev[0].error : -1);

    /* fd_write on stdout is ready */
    sub_fd(&s[0], 1, __WASI_EVENTTYPE_FD_WRITE, 1);
    sub_clock(&s[1], 2, __WASI_CLOCKID_MONOTONIC, 3000 * MS, 0);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 2, &nev), "poll fd_write(stdout) + 3s clock");
    int i = find_ud(ev, nev, 1);
    CHECK(i >= 0, "stdout reported writable");
    if (i >= 0) {
        CHECK_EQ(ev[i].type, __WASI_EVENTTYPE_FD_WRITE, "stdout event type FD_WRITE");
        CHECK_EQ(ev[i].error, 0, "stdout event error 0");
    }
    CHECK(find_ud(ev, nev, 2) < 0 && mono() - t0 < 1000 * MS, "returned without waiting for the clock");

    /* regular files are always ready */
    put_str("/poll_file", "0123456789");
    int fd = open("/poll_file", O_RDWR);
    CHECK(fd >= 0, "open poll_file");
    sub_fd(&s[0], 11, __WASI_EVENTTYPE_FD_READ, fd);
    sub_fd(&s[1], 12, __WASI_EVENTTYPE_FD_WRITE, fd);
    sub_clock(&s[2], 13, __WASI_CLOCKID_MONOTONIC, 3000 * MS, 0);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 3, &nev), "poll fd_read+fd_write on a regular file + clock");
    CHECK(find_ud(ev, nev, 11) >= 0, "regular file is readable");
    CHECK(find_ud(ev, nev, 12) >= 0, "regular file is writable");
    CHECK(find_ud(ev, nev, 13) < 0 && mono() - t0 < 1000 * MS, "file readiness is immediate");
    i = find_ud(ev, nev, 11);
    if (i >= 0) CHECK(ev[i].type == __WASI_EVENTTYPE_FD_READ && ev[i].error == 0, "file read event type FD_READ, error 0");

    /* stdin has data */
    sub_fd(&s[0], 21, __WASI_EVENTTYPE_FD_READ, 0);
    sub_clock(&s[1], 22, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 2, &nev), "poll fd_read(stdin) + 5s clock");
    i = find_ud(ev, nev, 21);
    CHECK(i >= 0, "stdin with piped data is readable");
    if (i >= 0) CHECK(ev[i].type == __WASI_EVENTTYPE_FD_READ && ev[i].error == 0, "stdin event type FD_READ, error 0");
    CHECK(mono() - t0 < 4000 * MS, "stdin readiness did not wait for the clock");
    char buf[64] = {0};
    size_t got = 0;
    for (;;) {
        ssize_t r = read(0, buf + got, sizeof buf - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    CHECK_STR(buf, "hello poll\n", "stdin content");
    /* at EOF stdin is still "ready" (a read would return 0) */
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 2, &nev), "poll fd_read(stdin) at EOF + 5s clock");
    i = find_ud(ev, nev, 21);
    CHECK(i >= 0 && mono() - t0 < 4000 * MS, "stdin at EOF reported ready, not blocking until the clock");
    if (i >= 0) NOTE("stdin EOF event: error %d flags %u nbytes %llu", ev[i].error, ev[i].fd_readwrite.flags,
                     (unsigned long long)ev[i].fd_readwrite.nbytes);

    /* several subscriptions at once: clock + stdin read + stdout write */
    sub_clock(&s[0], 31, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
    sub_fd(&s[1], 32, __WASI_EVENTTYPE_FD_READ, 0);
    sub_fd(&s[2], 33, __WASI_EVENTTYPE_FD_WRITE, 1);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 3, &nev), "poll with clock + stdin read + stdout write");
    CHECK_EQ(nev, 2, "two ready events (stdin at EOF, stdout writable)");
    CHECK(find_ud(ev, nev, 32) >= 0, "stdin read event present");
    CHECK(find_ud(ev, nev, 33) >= 0, "stdout write event present");
    CHECK(find_ud(ev, nev, 31) < 0, "clock did not fire");
    CHECK(mono() - t0 < 4000 * MS, "returned promptly");
    /* ... plus a file, for reading and writing */
    sub_fd(&s[3], 34, __WASI_EVENTTYPE_FD_WRITE, fd);
    sub_fd(&s[4], 35, __WASI_EVENTTYPE_FD_READ, fd);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 5, &nev), "poll with clock + stdin read + stdout write + file write + file read");
    CHECK_EQ(nev, 4, "four ready events (everything but the clock)");
    CHECK(find_ud(ev, nev, 32) >= 0 && find_ud(ev, nev, 33) >= 0, "stdin and stdout events present");
    CHECK(find_ud(ev, nev, 34) >= 0, "file write event present");
    CHECK(find_ud(ev, nev, 35) >= 0, "file read event present");
    CHECK(find_ud(ev, nev, 31) < 0, "clock did not fire");
    int dup = 0;
    for (uint32_t a = 0; a < nev; a++)
        for (uint32_t b = a + 1; b < nev; b++) if (ev[a].userdata == ev[b].userdata) dup = 1;
    CHECK(!dup, "no subscription reported twice");
    CHECK(mono() - t0 < 4000 * MS, "multi-poll returned promptly");

    /* bad fd */
    sub_fd(&s[0], 41, __WASI_EVENTTYPE_FD_READ, 9999);
    sub_clock(&s[1], 42, __WASI_CLOCKID_MONOTONIC, 2000 * MS, 0);
    t0 = mono();
    e = poll_n(s, ev, 2, &nev);
    i = e == 0 ? find_ud(ev, nev, 41) : -1;
    CHECK(e == __WASI_ERRNO_BADF || (i >= 0 && ev[i].error == __WASI_ERRNO_BADF),
          "fd_read subscription on fd 9999 -> EBADF (returned or in event.error) [ret %d, nevents %u, first event ud %llu error %d]",
          e, nev, nev ? (unsigned long long)ev[0].userdata : 0ull, nev ? ev[0].error : -1);
    CHECK(mono() - t0 < 1500 * MS, "bad fd reported without waiting for the clock");
    /* bad tag */
    sub_fd(&s[0], 51, 3, 1);
    e = poll_n(s, ev, 1, &nev);
    CHECK(e == __WASI_ERRNO_INVAL || (e == 0 && nev == 1 && ev[0].error == __WASI_ERRNO_INVAL),
          "subscription tag 3 -> EINVAL (returned or in event.error) [ret %d]", e);

    /* libc poll() */
    struct pollfd pf[2] = {{1, POLLOUT, 0}, {fd, POLLIN, 0}};
    CHECK_EQ(poll(pf, 2, 1000), 2, "libc poll on stdout(POLLOUT) and a file(POLLIN) -> 2");
    CHECK(pf[0].revents & POLLOUT, "stdout revents POLLOUT");
    CHECK(pf[1].revents & POLLIN, "file revents POLLIN");
    t0 = mono();
    CHECK_EQ(poll(NULL, 0, 25), 0, "libc poll with no fds and 25ms timeout -> 0");
    CHECK(mono() - t0 >= 24 * MS, "libc poll slept ~25ms");
    /* absolute deadlines last: node:wasi treats them as relative and would hang here */
    /* absolute monotonic deadline */
    sub_clock(&s[0], 0xABCDEF0123456789ull, __WASI_CLOCKID_MONOTONIC, mono() + 15 * MS, 1);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 1, &nev), "poll_oneoff absolute monotonic deadline +15ms");
    dt = mono() - t0;
    CHECK(nev == 1 && ev[0].userdata == 0xABCDEF0123456789ull, "absolute clock event with full 64-bit userdata");
    CHECK(dt >= 13 * MS && dt < 2000 * MS, "absolute deadline respected (waited %llu us)", (unsigned long long)(dt / 1000));

    /* absolute realtime deadline in the past fires at once */
    sub_clock(&s[0], 9, __WASI_CLOCKID_REALTIME, now_ns(__WASI_CLOCKID_REALTIME) - 1000 * MS, 1);
    t0 = mono();
    CHECK_OK(poll_n(s, ev, 1, &nev), "poll_oneoff absolute deadline in the past");
    CHECK(nev == 1 && mono() - t0 < 500 * MS, "past deadline fires immediately");
    close(fd);
    return finish();
}
