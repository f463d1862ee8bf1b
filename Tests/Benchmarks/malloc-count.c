/* Counts heap allocations of one process: an LD_PRELOAD interposer over glibc's malloc family.
 * Built by run.sh: cc -O2 -shared -fPIC -o malloc-count.so malloc-count.c
 * Run:  LD_PRELOAD=./malloc-count.so OVERLAYTRACE_MALLOC_COUNT_OUT=counts.txt program ...
 * At exit it writes "allocations N frees N bytes N" (one line per process, appended).
 * Allocations = malloc + calloc + realloc + posix_memalign/aligned_alloc/memalign/valloc calls, as swift-nio's
 * allocation counter counts them; the Swift runtime allocates through these. Forwarding goes to glibc's
 * __libc_* entry points, so no dlsym (which itself allocates) is needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static unsigned long long allocations, frees, bytes;

/* Allocations so far: a program that finds this symbol (dlsym) can count one phase of its run,
 * e.g. overlaytrace-bench engine counts the per-packet loop apart from start-up and the end-of-capture work. */
unsigned long long overlaytrace_malloc_count(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

static inline void count(size_t n) {
    __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&bytes, n, __ATOMIC_RELAXED);
}

void *malloc(size_t n) { count(n); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { count(k * n); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { count(n); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { count(n); return __libc_memalign(a, n); }
void *valloc(size_t n) { count(n); return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n); }
int posix_memalign(void **out, size_t a, size_t n) {
    if (a < sizeof(void *) || (a & (a - 1)) != 0) return EINVAL;
    count(n);
    void *p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
void free(void *p) {
    if (p) __atomic_fetch_add(&frees, 1, __ATOMIC_RELAXED);
    __libc_free(p);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("OVERLAYTRACE_MALLOC_COUNT_OUT");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return;
    char line[160];
    int n = snprintf(line, sizeof line, "allocations %llu frees %llu bytes %llu\n",
                     __atomic_load_n(&allocations, __ATOMIC_RELAXED), __atomic_load_n(&frees, __ATOMIC_RELAXED),
                     __atomic_load_n(&bytes, __ATOMIC_RELAXED));
    if (n > 0) (void)!write(fd, line, (size_t)n);
    close(fd);
}
