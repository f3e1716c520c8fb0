import Foundation
import Gateway
import GraphQLCore
import Testing

@Suite("GraphQL conformance through the gateway")
struct ConformanceTests {
    @Test func aGetQueryStringIsDecodedAsAForm() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            // `+` is a space in a form-encoded query string, as browsers and many clients send it.
            let plus = try await client.send(.GET, "/graphql?query=%7B+hello%28name%3A+%22a%2Bb+c%22%29+%7D", headers: [("accept", "application/json")])
            #expect(plus.status == 200, "\(plus.text)")
            #expect(plus.text == #"{"data":{"hello":"hello a+b c"}}"#)
            // The first of repeated parameters wins; bytes are UTF-8.
            let repeated = try await client.send(.GET, "/graphql?query=%7Bhello%28name%3A%22%C3%A9%22%29%7D&query=%7Bnope%7D",
                                                 headers: [("accept", "application/json")])
            #expect(repeated.text == #"{"data":{"hello":"hello é"}}"#)
        }
    }
}
