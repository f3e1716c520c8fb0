#ifndef SWITCHYARD_ALLOCATOR_H
#define SWITCHYARD_ALLOCATOR_H

/// The allocator this process runs on: "jemalloc <version>", or "" when malloc is not jemalloc's.
const char *switchyard_allocator(void);

#endif
