#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// Macros Swift cannot call, as functions.
static inline long switchyard_ssl_set_server_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline int switchyard_ssl_ctx_require_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

// OpenSSL frees its global state in an atexit handler by default; a thread of ours still in
// libpq or TLS while the process exits (a reconnecting listener) would then take a freed lock.
// Called before the first use, this keeps the state until the process is gone.
static inline void switchyard_openssl_keep_state_at_exit(void) {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}
