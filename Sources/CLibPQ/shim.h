#include <libpq-fe.h>
/* Socket readiness for libpq's asynchronous API (Glibc's Swift module leaves epoll out). */
#include <sys/epoll.h>
