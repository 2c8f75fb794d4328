/*
 * clocks_random.c - clock_res_get / clock_time_get for all four clock ids,
 * libc clock_gettime/clock_getres/nanosleep/time, random_get (1 MiB) and
 * getentropy/arc4random.
 */
#include "check.h"
#include <time.h>
#include <sys/time.h>

static const char *clock_names[] = {"realtime", "monotonic", "process_cputime", "thread_cputime"};

int main(void) {
    /* ---- clock_res_get / clock_time_get for every id ---- */
    for (int id = 0; id < 4; id++) {
        uint64_t res = 0, t = 0;
        CHECK_OK(raw_clock_res_get(id, P(&res)), "clock_res_get(%s) succeeds", clock_names[id]);
        CHECK(res > 0 && res <= 1000000000ull, "clock_res_get(%s) resolution in (0, 1s] (got %llu ns)",
              clock_names[id], (unsigned long long)res);
        CHECK_OK(raw_clock_time_get(id, 0, P(&t)), "clock_time_get(%s, precision 0) succeeds", clock_names[id]);
        uint64_t t2 = 0;
        CHECK_OK(raw_clock_time_get(id, 1000000, P(&t2)), "clock_time_get(%s, precision 1ms) succeeds", clock_names[id]);
        if (id != 0) CHECK(t2 >= t, "clock %s does not go backwards between two reads", clock_names[id]);
    }
    /* invalid clock ids */
    uint64_t dummy = 0;
    CHECK_ERR(raw_clock_res_get(4, P(&dummy)), __WASI_ERRNO_INVAL, "clock_res_get(id 4) -> EINVAL");
    CHECK_ERR(raw_clock_time_get(4, 0, P(&dummy)), __WASI_ERRNO_INVAL, "clock_time_get(id 4) -> EINVAL");
    CHECK_ERR(raw_clock_time_get(-1, 0, P(&dummy)), __WASI_ERRNO_INVAL, "clock_time_get(id 0xffffffff) -> EINVAL");

    /* realtime is a plausible wall clock (after 2020-01-01, before 2200) */
    uint64_t rt = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK(rt > 1577836800ull * 1000000000ull, "realtime is after 2020-01-01 (got %llu)", (unsigned long long)rt);
    CHECK(rt < 7258118400ull * 1000000000ull, "realtime is before 2200-01-01");

    /* monotonic never goes backwards over many reads */
    uint64_t prev = now_ns(__WASI_CLOCKID_MONOTONIC);
    int mono_ok = 1, advanced = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t n = now_ns(__WASI_CLOCKID_MONOTONIC);
        if (n < prev) mono_ok = 0;
        if (n > prev) advanced = 1;
        prev = n;
    }
    CHECK(mono_ok, "monotonic clock never decreases over 20000 reads");
    CHECK(advanced, "monotonic clock advances over 20000 reads");

    /* cputime increases with busy work */
    uint64_t c0 = now_ns(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
    volatile uint64_t acc = 0;
    uint64_t m0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    while (now_ns(__WASI_CLOCKID_MONOTONIC) - m0 < 20000000ull) for (int i = 0; i < 1000; i++) acc += i;
    uint64_t c1 = now_ns(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
    CHECK(c1 >= c0, "process cputime does not decrease across 20ms of busy work");

    /* ---- libc wrappers ---- */
    struct timespec ts;
    CHECK_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0, "clock_gettime(CLOCK_REALTIME)");
    uint64_t libc_rt = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    uint64_t raw_rt = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK(raw_rt >= libc_rt && raw_rt - libc_rt < 5000000000ull, "libc realtime agrees with raw clock_time_get within 5s");
    CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000, "tv_nsec in [0, 1e9)");
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0, "clock_gettime(CLOCK_MONOTONIC)");
    CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &ts), 0, "clock_getres(CLOCK_MONOTONIC)");
    CHECK(ts.tv_sec > 0 || ts.tv_nsec > 0, "clock_getres resolution is non-zero");
    time_t tt = time(NULL);
    CHECK(tt > 1577836800, "time(NULL) after 2020");
    struct timeval tv;
    CHECK_EQ(gettimeofday(&tv, NULL), 0, "gettimeofday");

    /* nanosleep actually sleeps (uses poll_oneoff with a clock subscription) */
    uint64_t s0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    struct timespec req = {0, 30 * 1000000};
    CHECK_EQ(nanosleep(&req, NULL), 0, "nanosleep(30ms) succeeds");
    uint64_t slept = now_ns(__WASI_CLOCKID_MONOTONIC) - s0;
    CHECK(slept >= 29000000ull, "nanosleep(30ms) sleeps at least ~30ms (slept %llu us)", (unsigned long long)(slept / 1000));
    CHECK(slept < 5000000000ull, "nanosleep(30ms) returns within 5s");
    CHECK_EQ(usleep(1000), 0, "usleep(1000)");

    /* ---- random_get ---- */
    size_t big = 1 << 20;
    unsigned char *buf = calloc(1, big + 64);
    memset(buf + big, 0xA5, 64);
    CHECK_OK(raw_random_get(P(buf), (int32_t)big), "random_get 1 MiB succeeds");
    unsigned long counts[256] = {0};
    for (size_t i = 0; i < big; i++) counts[buf[i]]++;
    /* each byte value expected 4096 times; allow a very wide band (> 12 sigma) */
    int dist_ok = 1;
    for (int v = 0; v < 256; v++) if (counts[v] < 3300 || counts[v] > 4900) dist_ok = 0;
    CHECK(dist_ok, "random_get 1 MiB byte histogram is roughly uniform");
    int guard_ok = 1;
    for (int i = 0; i < 64; i++) if (buf[big + i] != 0xA5) guard_ok = 0;
    CHECK(guard_ok, "random_get does not write past buf_len");

    unsigned char a[32] = {0}, b[32] = {0};
    CHECK_OK(raw_random_get(P(a), 32), "random_get 32 bytes");
    CHECK_OK(raw_random_get(P(b), 32), "random_get 32 bytes again");
    CHECK(memcmp(a, b, 32) != 0, "two random_get calls return different bytes");
    CHECK_OK(raw_random_get(P(a), 0), "random_get with length 0 succeeds");
    unsigned char odd[7];
    CHECK_OK(raw_random_get(P(odd), 7), "random_get with odd length 7");

    unsigned char ent[256];
    CHECK_EQ(getentropy(ent, sizeof ent), 0, "getentropy(256)");
    uint32_t r1 = arc4random(), r2 = arc4random(), r3 = arc4random();
    CHECK(!(r1 == r2 && r2 == r3), "arc4random produces varying values");
    free(buf);
    return finish();
}
