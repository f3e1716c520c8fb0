import Hummingbird
import NIOCore

/// Each HTTP request's context: Hummingbird's core storage and the client's address (the
/// anonymous per-address rate limit keys on it).
public struct GatewayRequestContext: Hummingbird.RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection (a streamed response to a client too slow to take it is dropped with it).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }

    /// The client's IP address (no port), if the connection has one.
    var clientAddress: String? { remoteAddress?.ipAddress }
}
