import CLibSSL
import Foundation

/// A connected byte stream to Redis: a TCP socket, with OpenSSL's TLS over it for `rediss://`.
/// Blocking, used from one thread at a time; every read and write is bounded by the socket's
/// timeout (`SO_RCVTIMEO`/`SO_SNDTIMEO`), and a timed-out read throws `.timeout`.
///
/// Debian's hiredis (0.14) has no TLS, so the connection is ours and hiredis keeps what it is
/// good at: formatting commands and reading RESP replies (`RedisConnection`).
final class RedisStream {
    private var fd: Int32
    private var ssl: OpaquePointer?

    /// A process that writes to a socket its peer closed gets SIGPIPE unless it ignores it; a
    /// server wants the write's error instead (OpenSSL writes with `write(2)`, which has no
    /// per-call flag for this).
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    init(address: RedisAddress, timeout: Duration, tls: RedisTLSContext?) throws {
        _ = Self.ignoreBrokenPipes
        fd = try Self.connect(host: address.host, port: address.port, timeout: timeout)
        guard let tls else { return }
        do { ssl = try tls.handshake(fd: fd, host: address.host, verification: address.tls?.verification ?? .full) } catch {
            Foundation.close(fd)
            throw error
        }
    }

    deinit { close() }

    func close() {
        if let ssl {
            SSL_shutdown(ssl) // best effort: one close_notify, no wait for the peer's
            SSL_free(ssl)
        }
        ssl = nil
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }

    var fileDescriptor: Int32 { fd }

    /// Bytes already decrypted and waiting in OpenSSL (a `poll` on the socket would not see them).
    var hasBufferedBytes: Bool { ssl.map { SSL_pending($0) > 0 } ?? false }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let p = bytes.baseAddress! + offset, n = bytes.count - offset
            if let ssl {
                let w = SSL_write(ssl, p, Int32(min(n, Int(Int32.max))))
                if w <= 0 { throw tlsError(ssl, w, "write") }
                offset += Int(w)
            } else {
                let w = send(fd, p, n, Int32(MSG_NOSIGNAL))
                if w < 0 {
                    if errno == EINTR { continue }
                    throw socketError("write")
                }
                offset += w
            }
        }
    }

    /// Reads what is there (at least one byte, waiting up to the timeout for it).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if let ssl {
                let r = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
                if r > 0 { return Int(r) }
                throw tlsError(ssl, r, "read")
            }
            let r = recv(fd, buffer.baseAddress, buffer.count, 0)
            if r > 0 { return r }
            if r == 0 { throw RedisError(.io, "Redis closed the connection") }
            if errno == EINTR { continue }
            throw socketError("read")
        }
    }

    private func socketError(_ what: String) -> RedisError {
        let e = errno
        if e == EAGAIN || e == EWOULDBLOCK { return RedisError(.timeout, "\(what) timed out") }
        return RedisError(.io, "\(what) failed: \(String(cString: strerror(e)))")
    }

    private func tlsError(_ ssl: OpaquePointer, _ result: Int32, _ what: String) -> RedisError {
        let e = errno
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_ZERO_RETURN: return RedisError(.io, "Redis closed the TLS connection")
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return RedisError(.timeout, "\(what) timed out")
        case SSL_ERROR_SYSCALL:
            if e == EAGAIN || e == EWOULDBLOCK { return RedisError(.timeout, "\(what) timed out") }
            return RedisError(.io, "TLS \(what) failed: \(e == 0 ? "connection closed" : String(cString: strerror(e)))")
        default: return RedisError(.io, "TLS \(what) failed: \(RedisTLSContext.lastError())")
        }
    }

    /// A TCP connection within `timeout` to the first address of `host` that answers.
    private static func connect(host: String, port: Int, timeout: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw RedisError(.connectionFailed, "could not resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let ms = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var failure = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { failure = String(cString: strerror(errno)); continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var connected = Foundation.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0
            if !connected && errno == EINPROGRESS {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&pfd, 1, ms) == 1 {
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                    connected = err == 0
                    if err != 0 { failure = String(cString: strerror(err)) }
                } else {
                    failure = "connect timed out"
                }
            } else if !connected {
                failure = String(cString: strerror(errno))
            }
            guard connected else { Foundation.close(fd); continue }
            _ = fcntl(fd, F_SETFL, flags)
            var tv = timeval(tv_sec: Int(ms / 1000), tv_usec: Int(ms % 1000) * 1000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return fd
        }
        throw RedisError(.connectionFailed, "could not connect to Redis at \(host):\(port): \(failure)")
    }
}

/// OpenSSL's client context for one Redis address: trusted roots and the client certificate
/// are read once; each connection gets its own session from it.
final class RedisTLSContext: @unchecked Sendable {
    private let context: OpaquePointer
    /// OpenSSL keeps its state until the process is gone (see `switchyard_openssl_keep_state_at_exit`).
    private static let keepStateAtExit: Void = switchyard_openssl_keep_state_at_exit()

    init(_ settings: RedisAddress.TLS) throws {
        _ = Self.keepStateAtExit
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw RedisError(.connectionFailed, "TLS: \(Self.lastError())") }
        context = ctx
        _ = switchyard_ssl_ctx_require_tls12(ctx)
        if settings.verification != .none {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
            let loaded = settings.rootCertificateFile.map { SSL_CTX_load_verify_locations(ctx, $0, nil) } ?? SSL_CTX_set_default_verify_paths(ctx)
            guard loaded == 1 else {
                throw RedisError(.connectionFailed, "TLS: cannot read the trusted roots \(settings.rootCertificateFile ?? "(system)"): \(Self.lastError())")
            }
        }
        if let cert = settings.certificateFile, let key = settings.keyFile {
            guard SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 else {
                throw RedisError(.connectionFailed, "TLS: cannot read the client certificate \(cert): \(Self.lastError())")
            }
            guard SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
                throw RedisError(.connectionFailed, "TLS: cannot use the client key \(key): \(Self.lastError())")
            }
        }
    }

    deinit { SSL_CTX_free(context) }

    /// The TLS handshake on a connected socket; with `verify-full`, the server's certificate must
    /// name `host` (its DNS name, or its IP address when `host` is one).
    func handshake(fd: Int32, host: String, verification: RedisAddress.TLS.Verification) throws -> OpaquePointer {
        guard let ssl = SSL_new(context) else { throw RedisError(.connectionFailed, "TLS: \(Self.lastError())") }
        var address = in6_addr()
        let isIP = inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if !isIP { _ = switchyard_ssl_set_server_name(ssl, host) }
        if verification == .full {
            let named = isIP ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host)
            guard named == 1 else { SSL_free(ssl); throw RedisError(.connectionFailed, "TLS: cannot verify the name \(host)") }
        }
        SSL_set_fd(ssl, fd)
        ERR_clear_error()
        let r = SSL_connect(ssl)
        guard r == 1 else {
            let verify = SSL_get_verify_result(ssl)
            let reason = verify != X509_V_OK ? "certificate verify failed: \(String(cString: X509_verify_cert_error_string(verify)))" : Self.lastError()
            SSL_free(ssl)
            throw RedisError(.connectionFailed, "TLS handshake with Redis at \(host) failed: \(reason)")
        }
        return ssl
    }

    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        ERR_clear_error()
        return String(cString: buffer)
    }
}
