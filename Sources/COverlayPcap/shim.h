#ifndef COVERLAYPCAP_SHIM_H
#define COVERLAYPCAP_SHIM_H
#include <pcap/pcap.h>
#include <stdio.h>
#include <sys/types.h>

#if defined(__linux__)
/* glibc's fopencookie and its cookie_io_functions_t are declared only under _GNU_SOURCE, which the C library's
   module is not built with: the same layout under our own names, bound to the glibc symbol. */
typedef struct {
    ssize_t (*read)(void *cookie, char *buffer, size_t size);
    ssize_t (*write)(void *cookie, const char *buffer, size_t size);
    int (*seek)(void *cookie, long long *offset, int whence);
    int (*close)(void *cookie);
} overlay_cookie_io_functions;

FILE *overlay_fopencookie(void *cookie, const char *mode, overlay_cookie_io_functions functions) __asm__("fopencookie");
#endif
#endif
