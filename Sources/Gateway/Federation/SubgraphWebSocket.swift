import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization
@_spi(WSInternal) import WSCore

/// The gateway's WebSocket connection to a remote subgraph (its subscriptions, `ws://` or `wss://`).
///
/// The opening handshake is the gateway's own so that its headers are right for a server-to-server
/// client: `Host` with the URL's port, the subprotocol, the propagated headers, and no `Origin` —
/// the gateway is not a browser (RFC 6455 §4.1: only browser clients must send it), and a subgraph
/// that guards against cross-site WebSocket hijacking (Strawberry by default) allows a handshake
/// without one but refuses one whose origin is not its own. Frames, control frames, fragmented
/// messages and the closing handshake are WSCore's (the same code as the server side's).
enum SubgraphWebSocket {
    struct Context: WebSocketContext {
        let logger: Logger
    }

    /// The subgraph answered the upgrade request with something else than `101` (its status when
    /// it sent one).
    struct UpgradeRefused: Error, CustomStringConvertible {
        let status: Int?
        var description: String { "the server did not upgrade the connection to WebSocket" + (status.map { " (HTTP \($0))" } ?? "") }
    }

    /// The subgraph's `101` chose a subprotocol that was not offered (RFC 6455 §4.1: the client
    /// fails the connection).
    struct OtherSubprotocol: Error, CustomStringConvertible {
        let chosen: String
        var description: String { "the server chose the subprotocol \"\(chosen)\", which was not offered" }
    }

    struct InvalidURL: Error, CustomStringConvertible {
        let url: String
        var description: String { "not a ws:// or wss:// URL: \(url)" }
    }

    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused
    }

    /// Headers of the handshake the upgrade itself writes (or that would break it): a propagated
    /// header of these names is not sent.
    static let handshakeHeaders: Set<String> = [
        "host", "origin", "connection", "upgrade", "content-length", "transfer-encoding", "te", "keep-alive",
        "sec-websocket-key", "sec-websocket-version", "sec-websocket-accept", "sec-websocket-extensions",
        "sec-websocket-protocol",
    ]

    /// Opens a connection to `url` offering `subprotocol`, runs `handler` on it, and closes it
    /// when `handler` returns or throws, or the task is cancelled (during the handshake too: a
    /// subgraph that never answers it holds no socket past its subscription).
    static func connect(url: String, subprotocol: String, headers: [(String, String)], maxFrameSize: Int,
                        connectTimeout: TimeAmount, tls configuration: TLSConfiguration? = nil, logger: Logger,
                        handler: @escaping WebSocketDataHandler<Context>) async throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), scheme == "ws" || scheme == "wss",
              var host = parts.host, !host.isEmpty else { throw InvalidURL(url: url) }
        // An IPv6 address is written in brackets in a URL (and in `Host`), not when connecting.
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let tls = scheme == "wss"
        let port = parts.port ?? (tls ? 443 : 80)
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let hostHeader = parts.port.map { "\(bracketed):\($0)" } ?? bracketed
        var target = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
        if let query = parts.percentEncodedQuery { target += "?" + query }

        var head = HTTPHeaders()
        head.add(name: "Host", value: hostHeader)
        head.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
        for (name, value) in headers where !handshakeHeaders.contains(name.lowercased()) {
            guard HTTPField.Name(name) != nil, HTTPField.isValidValue(value) else { continue }
            head.add(name: name, value: value)
        }
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: head)
        let sslContext = tls ? try NIOSSLContext(configuration: configuration ?? .makeClientConfiguration()) : nil
        // No SNI for an address (RFC 6066 §3).
        let serverName = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil

        let (channel, upgrade, refusal) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    // A refusal's response comes through behind the upgrade handler: its status.
                    let refusal = RefusalStatus()
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, response in
                        channel.eventLoop.makeCompletedFuture {
                            // Upgraded: frames, not HTTP parts, come through from here on.
                            channel.pipeline.syncOperations.removeHandler(refusal, promise: nil)
                            let chosen = response.headers["sec-websocket-protocol"].joined(separator: ",")
                            guard chosen.isEmpty || chosen == subprotocol else { throw OtherSubprotocol(chosen: chosen) }
                            return .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                        }
                    }
                    var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: .init(
                        upgradeRequestHead: request, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused } }))
                    configuration.leftOverBytesStrategy = .forwardBytes
                    let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
                    try channel.pipeline.syncOperations.addHandler(refusal)
                    return (channel, upgrade, refusal)
                }
            }
        let outcome: Upgrade
        do {
            outcome = try await withTaskCancellationHandler {
                try await upgrade.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            try? await channel.close()
            throw error
        }
        switch outcome {
        case .websocket(let webSocket):
            _ = try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(extensions: [], autoPing: .disabled, validateUTF8: true, maxFrameSize: maxFrameSize),
                asyncChannel: webSocket, context: Context(logger: logger), handler: handler)
        case .refused:
            // The upgrade handler passes the response on just after it reports the refusal.
            let status = try? await channel.eventLoop.submit { refusal.status.withLock { $0 } }.get()
            try? await channel.close()
            throw UpgradeRefused(status: status ?? nil)
        }
    }

    /// Behind the upgrade handler: the status of a response that was not `101`.
    final class RefusalStatus: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let status = Mutex<Int?>(nil)

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(let head) = unwrapInboundIn(data) { status.withLock { $0 = Int(head.status.code) } }
        }
    }
}
