import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
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

    struct UpgradeRefused: Error, CustomStringConvertible {
        var description: String { "the server did not upgrade the connection to WebSocket" }
    }

    struct InvalidURL: Error, CustomStringConvertible {
        let url: String
        var description: String { "not a ws:// or wss:// URL: \(url)" }
    }

    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused(any Channel)
    }

    /// Headers of the handshake the upgrade itself writes (or that would break it): a propagated
    /// header of these names is not sent.
    static let handshakeHeaders: Set<String> = [
        "host", "origin", "connection", "upgrade", "content-length", "transfer-encoding", "te", "keep-alive",
        "sec-websocket-key", "sec-websocket-version", "sec-websocket-accept", "sec-websocket-extensions",
        "sec-websocket-protocol",
    ]

    /// Opens a connection to `url` offering `subprotocol`, runs `handler` on it, and closes it
    /// when `handler` returns or throws (or the task is cancelled).
    static func connect(url: String, subprotocol: String, headers: [(String, String)], maxFrameSize: Int,
                        connectTimeout: TimeAmount, logger: Logger,
                        handler: @escaping WebSocketDataHandler<Context>) async throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), scheme == "ws" || scheme == "wss",
              let host = parts.host, !host.isEmpty else { throw InvalidURL(url: url) }
        let tls = scheme == "wss"
        let port = parts.port ?? (tls ? 443 : 80)
        // URLComponents gives an IPv6 host without its brackets; `Host` needs them.
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
        let sslContext = tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let serverName = host.contains(":") || isIPv4Address(host) ? nil : host

        let upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                        }
                    }
                    var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: .init(
                        upgradeRequestHead: request, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused(channel) } }))
                    configuration.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
                }
            }
        switch try await upgrade.get() {
        case .websocket(let channel):
            _ = try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(extensions: [], autoPing: .disabled, validateUTF8: false, maxFrameSize: maxFrameSize),
                asyncChannel: channel, context: Context(logger: logger), handler: handler)
        case .refused(let channel):
            try? await channel.close()
            throw UpgradeRefused()
        }
    }

    /// Whether `host` is a dotted IPv4 address (no SNI is sent for an address).
    private static func isIPv4Address(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
