import Foundation
import Hummingbird
import NIOCore

/// GraphQL over HTTP (`POST /graphql`, `GET /graphql`).
struct GraphQLHTTPHandler: Sendable {
    let runtime: GatewayRuntime

    func register(on router: Router<BasicRequestContext>) {
        router.post("graphql") { request, context in
            Response(status: .notImplemented, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"errors":[{"message":"not ready"}]}"#)))
        }
    }
}
