import CLibSSL
import Foundation
import IOReadiness

/// A connected byte stream to Redis: a TCP socket, with OpenSSL's TLS over it for `rediss://`.
/// Non-blocking: a read or write that would wait awaits the socket on `ReadinessLoop` (no
/// thread is blocked), bounded by the caller's deadline (`.timeout` past it). Used by one task
/// at a time.
///
/// Debian's hiredis (0.14) has no TLS, so the connection is ours and hiredis keeps what it is
/// good at: reading RESP replies (`RedisConnection`).
///
/// OpenSSL's error queue is per thread and tasks move between threads: it is cleared before
/// every TLS call, since `SSL_get_error` reads any entry in it as this call's failure (an entry
/// another connection left there — a refused handshake, libpq's — failed a sound read).
final class RedisStream {
    private var fd: Int32
    private var ssl: OpaquePointer?
    private let loop = ReadinessLoop.shared

    /// A process that writes to a socket its peer closed gets SIGPIPE unless it ignores it; a
    /// server wants the write's error instead (OpenSSL writes with `write(2)`, which has no
    /// per-call flag for this).
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Connects (and shakes hands over TLS) before `deadline`.
    init(address: RedisAddress, deadline: ContinuousClock.Instant, tls: RedisTLSContext?) async throws {
        _ = Self.ignoreBrokenPipes
        fd = try await Self.connect(host: address.host, port: address.port, deadline: deadline, loop: loop)
        guard let tls else { return }
        do {
            let ssl = try tls.session(fd: fd, host: address.host, verification: address.tls?.verification ?? .full)
            self.ssl = ssl
            while true {
                ERR_clear_error()
                let r = SSL_connect(ssl)
                if r == 1 { break }
                switch SSL_get_error(ssl, r) {
                case SSL_ERROR_WANT_READ: try await wait(writable: false, deadline, "TLS handshake")
                case SSL_ERROR_WANT_WRITE: try await wait(writable: true, deadline, "TLS handshake")
                default:
                    let verify = SSL_get_verify_result(ssl)
                    let detail = RedisTLSContext.lastError()
                    let reason = verify != X509_V_OK ? "certificate verify failed: \(String(cString: X509_verify_cert_error_string(verify)))"
                        : detail
                    throw RedisError(.connectionFailed, "TLS handshake with Redis at \(address.host) failed: \(reason)")
                }
            }
        } catch {
            close()
            if let e = error as? RedisError, e.code == .timeout { throw RedisError(.connectionFailed, "TLS handshake with Redis at \(address.host) timed out") }
            throw error
        }
    }

    deinit { close() }

    func close() {
        guard fd >= 0 else { return }
        loop.forget(fd)
        if let ssl {
            ERR_clear_error()
            SSL_shutdown(ssl) // best effort: one close_notify, no wait for the peer's
            SSL_free(ssl)
            ERR_clear_error() // a shutdown after a failed handshake queues an error of its own
        }
        ssl = nil
        Foundation.close(fd)
        fd = -1
    }

    /// Waits for the socket before `deadline` (none: as long as it takes; then a cancelled
    /// task stops waiting).
    private func wait(writable: Bool, _ deadline: ContinuousClock.Instant?, _ what: String) async throws {
        do {
            try await loop.wait(fd, writable: writable, cancellable: deadline == nil, deadline: deadline)
        } catch let failure as ReadinessLoop.Failure {
            switch failure {
            case .timedOut: throw RedisError(.timeout, "\(what) timed out")
            case .closed: throw RedisError(.closed, "the connection was closed")
            case .failed(let reason): throw RedisError(.io, "\(what) failed: \(reason)")
            }
        }
    }

    /// Writes all of `bytes` before `deadline`.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.count - offset
            if let ssl {
                ERR_clear_error()
                let w = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32(min(n, Int(Int32.max)))) }
                if w > 0 { offset += Int(w); continue }
                switch SSL_get_error(ssl, w) {
                case SSL_ERROR_WANT_WRITE: try await wait(writable: true, deadline, "write")
                case SSL_ERROR_WANT_READ: try await wait(writable: false, deadline, "write")
                default: throw tlsError(ssl, w, "write")
                }
            } else {
                let w = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, n, Int32(MSG_NOSIGNAL)) }
                if w >= 0 { offset += w; continue }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: try await wait(writable: true, deadline, "write")
                default: throw socketError("write")
                }
            }
        }
    }

    /// Reads what is there into `buffer` (at least one byte), waiting for some until `deadline`
    /// (none: as long as it takes, or until the task is cancelled).
    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant?) async throws -> Int {
        while true {
            if let ssl {
                ERR_clear_error()
                let r = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
                if r > 0 { return Int(r) }
                switch SSL_get_error(ssl, r) {
                case SSL_ERROR_WANT_READ: try await wait(writable: false, deadline, "read")
                case SSL_ERROR_WANT_WRITE: try await wait(writable: true, deadline, "read")
                default: throw tlsError(ssl, r, "read")
                }
                continue
            }
            let r = recv(fd, buffer.baseAddress, buffer.count, 0)
            if r > 0 { return r }
            if r == 0 { throw RedisError(.io, "Redis closed the connection") }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try await wait(writable: false, deadline, "read")
            default: throw socketError("read")
            }
        }
    }

    private func socketError(_ what: String) -> RedisError {
        RedisError(.io, "\(what) failed: \(String(cString: strerror(errno)))")
    }

    private func tlsError(_ ssl: OpaquePointer, _ result: Int32, _ what: String) -> RedisError {
        let e = errno
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_ZERO_RETURN: return RedisError(.io, "Redis closed the TLS connection")
        case SSL_ERROR_SYSCALL:
            return RedisError(.io, "TLS \(what) failed: \(e == 0 ? "connection closed" : String(cString: strerror(e)))")
        default: return RedisError(.io, "TLS \(what) failed: \(RedisTLSContext.lastError())")
        }
    }

    /// A non-blocking TCP connection, made before `deadline`, to the first address of `host`
    /// that answers.
    private static func connect(host: String, port: Int, deadline: ContinuousClock.Instant, loop: ReadinessLoop) async throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw RedisError(.connectionFailed, "could not resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var failure = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
            if fd < 0 { failure = String(cString: strerror(errno)); continue }
            var connected = Foundation.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0
            if !connected && errno == EINPROGRESS {
                do {
                    try await loop.wait(fd, writable: true, deadline: deadline)
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                    connected = err == 0
                    if err != 0 { failure = String(cString: strerror(err)) }
                } catch {
                    failure = (error as? ReadinessLoop.Failure) == .timedOut ? "connect timed out" : "\(error)"
                }
            } else if !connected {
                failure = String(cString: strerror(errno))
            }
            guard connected else {
                loop.forget(fd)
                Foundation.close(fd)
                continue
            }
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

    /// A TLS session for a connected socket (the handshake is the stream's); with
    /// `verify-full`, the server's certificate must name `host` (its DNS name, or its IP
    /// address when `host` is one).
    func session(fd: Int32, host: String, verification: RedisAddress.TLS.Verification) throws -> OpaquePointer {
        guard let ssl = SSL_new(context) else { throw RedisError(.connectionFailed, "TLS: \(Self.lastError())") }
        var address = in6_addr()
        let isIP = inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if !isIP { _ = switchyard_ssl_set_server_name(ssl, host) }
        if verification == .full {
            let named = isIP ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host)
            guard named == 1 else { SSL_free(ssl); throw RedisError(.connectionFailed, "TLS: cannot verify the name \(host)") }
        }
        SSL_set_fd(ssl, fd)
        return ssl
    }

    /// The first error OpenSSL queued on this thread; the queue is left empty.
    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        ERR_clear_error()
        return String(cString: buffer)
    }
}
