// The switchyard executable allocates through jemalloc: linking it (see Package.swift) puts its
// malloc and free ahead of the C library's for the whole process, Swift's runtime included.
// glibc's allocator spent about a sixth of the gateway's CPU on the federation workload in
// malloc_consolidate and chunk unlinking around the large buffers of subgraph bodies and
// responses (BENCHMARKS.md, "Allocator").
//
// One arena for the whole process instead of jemalloc's four per core: a request's work hops
// between threads (Swift's cooperative pool, NIO's event loops), and with an arena per thread the
// pages one arena kept after a request were of no use to the next request's allocations in
// another — the resident set grew with every arena a large answer passed through (an 876 KB answer
// peaked at 3.3–4.6× its size above the resident set before it, one arena 0.9–1.9×; peak RSS
// under the federation workload 74 → 68 MB) at no measurable CPU cost (BENCHMARKS.md, session
// 20).
//
// A background thread of jemalloc's own purges the pages freed memory leaves (after
// `dirty_decay_ms`, 10 s): without it jemalloc purges only as it allocates, so a process that
// went idle after a burst of large answers kept them resident (70 MB of anonymous memory after
// 180 answers of 1.9 MB, still there a minute later; with the thread back to 8 MB within 15 s;
// BENCHMARKS.md, session 49). `MALLOC_CONF` in the environment still overrides both.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jemalloc/jemalloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "switchyard_allocator.h"

const char *malloc_conf = "narenas:1,background_thread:true";

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
    unsigned arenas = 0;
    size_t arenasLength = sizeof(arenas);
    if (mallctl("opt.narenas", (void *)&arenas, &arenasLength, NULL, 0) != 0) arenas = 0;
    bool purging = false;
    size_t purgingLength = sizeof(purging);
    if (mallctl("background_thread", (void *)&purging, &purgingLength, NULL, 0) != 0) purging = false;
    // "5.3.0-0-g54eaed1d…": the release, without the commit it was built from.
    snprintf(name, sizeof(name), "jemalloc %.*s, arenas %u%s", (int)strcspn(version, "-"), version, arenas,
             purging ? ", background purge" : "");
    return name;
}
