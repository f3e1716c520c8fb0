// The executable's read-only pages that start-up touched, given back once the server is up.
//
// The kernel maps up to 64 KB of the page cache around every page fault in a file mapping, so
// start-up — configuration, composition, schema building, the libraries' set-up — leaves some
// 20 MB of the executable's code mapped in a process whose request path runs in a fraction of
// it (BENCHMARKS.md, session 22). Unmapping the read-only segments (code, and the metadata and
// unwind tables beside it) drops those pages from this process; they stay in the page cache, and
// what runs afterwards faults back in at once. Only segments that are never written are touched:
// a page of them always equals the file's.
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "switchyard_allocator.h"

static int release_executable(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    size_t *released = data;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W)) continue;
        // Whole pages of this segment only (never one it shares with a writable neighbour).
        uintptr_t start = (info->dlpi_addr + ph->p_vaddr + page - 1) & ~(page - 1);
        uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_filesz) & ~(page - 1);
        if (end > start && madvise((void *)start, end - start, MADV_DONTNEED) == 0) *released += end - start;
    }
    return 1;   // the first object is the executable: done
}

size_t switchyard_release_startup_pages(void) {
    size_t released = 0;
    dl_iterate_phdr(release_executable, &released);
    return released;
}
