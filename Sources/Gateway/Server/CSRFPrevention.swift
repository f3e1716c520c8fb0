import Foundation
import GraphQLCore
import HTTPTypes
import Hummingbird

/// Cross-site request forgery prevention (`csrf.enabled`): a GraphQL request runs only when a
/// browser could not have sent it cross-site without a CORS preflight — it has a `Content-Type`
/// that is not one of the three "simple" ones, or a non-empty value for one of
/// `csrf.required_headers`. A plain `GET /graphql?query=…` from a link, an image or a form is
/// therefore refused (400, `CSRF_ERROR`) before admission, decoding or any subgraph.
///
/// Off by default: the gateway's credentials travel in `Authorization` (which no cross-site form
/// or link can set), POST bodies must be JSON (415 otherwise) and GET runs no mutations, while
/// ordinary GraphQL-over-HTTP clients send GET requests without a custom header. Turn it on when
/// a proxy in front of the gateway authenticates with cookies.
struct CSRFPrevention: Sendable {
    let settings: CSRFConfiguration

    /// The media types a browser sends cross-site without a preflight (the Fetch standard's
    /// CORS-safelisted `Content-Type` values).
    static let simpleMediaTypes: Set<String> = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]

    func check(_ headers: HTTPFields, _ accepted: ResponseWriting.Accepted) throws(Admission.Refusal) {
        guard settings.enabled else { return }
        let contentTypes = headers[values: .contentType]
        if !contentTypes.isEmpty {
            // Several Content-Type fields, or one that does not parse, cannot come from a simple request.
            let essence = contentTypes.count == 1 ? Self.essence(contentTypes[0]) : nil
            if essence.map({ !Self.simpleMediaTypes.contains($0) }) ?? true { return }
        }
        for name in settings.requiredHeaders {
            if let field = HTTPField.Name(name), let value = headers[field], !value.isEmpty { return }
        }
        let message = "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Send a Content-Type "
            + "other than \(Self.simpleMediaTypes.sorted().joined(separator: ", ")), or a non-empty value for one of these headers: "
            + settings.requiredHeaders.joined(separator: ", ") + "."
        let error = GraphQLError(message, code: "CSRF_ERROR")
        throw Admission.Refusal(400, [error], accepted)
    }

    /// A WebSocket upgrade, which a browser sends cross-site with its cookies and no preflight:
    /// with prevention on, allowed without an `Origin` (not a browser), from this server's own
    /// origin (its host and port are the request's), or from one of `cors.allow_origins`.
    func allowsUpgrade(origin: String?, authority: String?, allowedOrigins: [String]) -> Bool {
        guard settings.enabled, let origin else { return true }
        if allowedOrigins.contains("*") || allowedOrigins.contains(origin) { return true }
        guard let url = URL(string: origin), let host = url.host, let authority else { return false }
        let originAuthority = url.port.map { "\(host):\($0)" } ?? host
        return originAuthority.lowercased() == authority.lowercased()
    }

    /// `type/subtype` in lower case, without parameters; nil when it is not a media type.
    static func essence(_ value: String) -> String? {
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingSpaces().lowercased()
        let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              mediaType.allSatisfy({ $0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~/".contains($0) }) else { return nil }
        return mediaType
    }
}
