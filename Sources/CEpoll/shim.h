/* Socket readiness for the database drivers (Glibc's Swift module leaves epoll and eventfd out). */
#include <sys/epoll.h>
#include <sys/eventfd.h>
