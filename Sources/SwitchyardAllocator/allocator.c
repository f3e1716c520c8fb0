// The switchyard executable allocates through jemalloc: linking it (see Package.swift) puts its
// malloc and free ahead of the C library's for the whole process, Swift's runtime included.
// glibc's allocator spent about a sixth of the gateway's CPU on the federation workload in
// malloc_consolidate and chunk unlinking around the large buffers of subgraph bodies and
// responses (BENCHMARKS.md, "Allocator"). jemalloc's defaults measured best; nothing is tuned here.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jemalloc/jemalloc.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "switchyard_allocator.h"

const char *switchyard_allocator(void) {
    static char name[64];
    // jemalloc is in effect when the process's malloc is the one libjemalloc defines.
    void *library = dlopen("libjemalloc.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (library == NULL) return "";
    int inEffect = dlsym(library, "malloc") == dlsym(RTLD_DEFAULT, "malloc");
    dlclose(library);
    if (!inEffect) return "";
    const char *version = NULL;
    size_t length = sizeof(version);
    if (mallctl("version", (void *)&version, &length, NULL, 0) != 0 || version == NULL) return "";
    // "5.3.0-0-g54eaed1d…": the release, without the commit it was built from.
    snprintf(name, sizeof(name), "jemalloc %.*s", (int)strcspn(version, "-"), version);
    return name;
}
