#ifndef SWITCHYARD_ALLOCATOR_H
#define SWITCHYARD_ALLOCATOR_H

#include <stddef.h>

/// The allocator this process runs on: "jemalloc <version>", or "" when malloc is not jemalloc's.
const char *switchyard_allocator(void);

/// Unmaps the executable's read-only segments from this process (they stay in the page cache;
/// what runs next faults back in): the pages start-up touched stop counting as resident.
/// Returns the bytes of mapping it covered.
size_t switchyard_release_startup_pages(void);

#endif
