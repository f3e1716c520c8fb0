import AsyncHTTPClient
import Foundation
import Gateway
import NIOCore
import GraphQLCore
import Testing
import TestSupport

/// `@defer` through the gateway's HTTP endpoint over three real (graphql-core) subgraphs: an
/// incremental response for a client that takes one (multipart with the 2022-08-24 `deferSpec`,
/// or Server-Sent Events), the fragments inline for one that does not.
@Suite("@defer: incremental delivery")
struct DeferTests {
    static let scenario = "audit-defer-shared-root"

    /// A gateway over the scenario's subgraphs; `body` gets its client and the scenario server's
    /// (for the subgraphs' hooks).
    func withGateway(_ name: String = Self.scenario, _ body: (GatewayClient, GatewayClient) async throws -> Void) async throws {
        let scenario = try FederationScenario(name)
        try await withScenarioServer([name]) { base in
            var config = GatewayConfiguration()
            config.subgraphs = scenario.subgraphs.map { s in
                SubgraphConfiguration(name: s, url: "\(base)/\(name)/\(s)", schema: scenario.folder.appendingPathComponent("\(s).graphql").path)
            }
            try await withConfiguredGateway(config) { client, _ in try await body(client, GatewayClient(base: base)) }
        }
    }

    static let query = """
        query Deferred($later: Boolean! = true) {
          products {
            id
            name { brand }
            ... @defer(label: "price", if: $later) { price { amount currency } }
            category { ... on Category @defer { name } }
          }
        }
        """

    /// The JSON objects of a multipart body, in order.
    static func parts(_ body: String) -> [JSON] {
        body.components(separatedBy: "--graphql").compactMap { part in
            guard let start = part.range(of: "\r\n\r\n") else { return nil }
            return try? JSONReader.parse(Array(part[start.upperBound...].utf8))
        }
    }

    @Test func multipartClientsGetTheFirstPayloadWithoutTheDeferredFragmentsThenThem() async throws {
        try await withGateway { client, _ in
            let r = try await client.post(#"{"query":\#(JSON.string(Self.query).text)}"#,
                                          accept: "multipart/mixed;deferSpec=20220824,application/json")
            #expect(r.status == 200)
            #expect(r.contentType == "multipart/mixed;boundary=graphql;deferSpec=20220824")
            #expect(r.text.hasSuffix("--graphql--\r\n") || r.text.hasSuffix("--graphql--"))
            let parts = Self.parts(r.text)
            try #require(parts.count == 2, "two payloads: \(r.text)")
            #expect(parts[0] == (try JSONReader.parse(Array(#"""
                {"data":{"products":[{"id":"1","name":{"brand":"Brand 1"},"category":{}}]},"hasNext":true}
                """#.utf8))))
            let later = parts[1]
            #expect(later["hasNext"] == .bool(false))
            let entries = later["incremental"]?.arrayValue ?? []
            #expect(entries.count == 2)
            let price = entries.first { $0["label"]?.stringValue == "price" }
            #expect(price?["path"] == (try JSONReader.parse(Array(#"["products",0]"#.utf8))))
            #expect(price?["data"] == (try JSONReader.parse(Array(#"{"price":{"amount":1000,"currency":"USD"}}"#.utf8))))
            let category = entries.first { $0["label"] == nil }
            #expect(category?["path"] == (try JSONReader.parse(Array(#"["products",0,"category"]"#.utf8))))
            #expect(category?["data"] == (try JSONReader.parse(Array(#"{"name":"Category 1"}"#.utf8))))
        }
    }

    @Test func serverSentEventsCarryEachPayloadAsANextEvent() async throws {
        try await withGateway { client, _ in
            let r = try await client.post(#"{"query":\#(JSON.string(Self.query).text)}"#, accept: "text/event-stream")
            #expect(r.status == 200)
            let events = r.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.count == 3, "next, next, complete: \(r.text)")
            #expect(events.first?.hasPrefix("event: next\ndata: {\"data\":") == true)
            #expect(events.first?.hasSuffix("\"hasNext\":true}") == true)
            #expect(events.dropFirst().first?.hasPrefix("event: next\ndata: {\"incremental\":") == true)
            #expect(events.last?.hasPrefix("event: complete") == true)
        }
    }

    @Test func aClientThatTakesOneResponseGetsTheFragmentsInline() async throws {
        try await withGateway { client, _ in
            let r = try await client.post(#"{"query":\#(JSON.string(Self.query).text)}"#, accept: "application/json")
            #expect(r.status == 200)
            #expect(r.json == (try JSONReader.parse(Array(#"""
                {"data":{"products":[{"id":"1","name":{"brand":"Brand 1"},"price":{"amount":1000,"currency":"USD"},"category":{"name":"Category 1"}}]}}
                """#.utf8))))
        }
    }

    @Test func deferIfFalseIsAnsweredInTheFirstPayload() async throws {
        try await withGateway { client, _ in
            let body = #"{"query":\#(JSON.string(Self.query).text),"variables":{"later":false}}"#
            let r = try await client.post(body, accept: "multipart/mixed;deferSpec=20220824,application/json")
            let parts = Self.parts(r.text)
            try #require(parts.count == 2, "\(r.text)")
            #expect(parts[0]["data"]?["products"]?[0]?["price"]?["amount"] == .int(1000))
            #expect(parts[0]["hasNext"] == .bool(true))
            #expect(parts[1]["incremental"]?.arrayValue?.count == 1, "only the category's fragment is deferred")
        }
    }

    /// The first payload does not wait for a fetch that only deferred fragments need: pricing is
    /// held (its gate armed) until the first payload has been read, then released.
    @Test(arguments: [
        (#"{ products { id name ... @defer(label: \"price\") { price } } }"#,
         #"{"data":{"products":[{"id":"p1","name":"Kettle"},{"id":"p2","name":"Teapot"}]},"hasNext":true}"#,
         #"{"incremental":[{"data":{"price":30},"path":["products",0],"label":"price"},{"data":{"price":45},"path":["products",1],"label":"price"}],"hasNext":false}"#),
        (#"{ products { id } ... @defer(label: \"deals\") { deals { id name } } }"#,
         #"{"data":{"products":[{"id":"p1"},{"id":"p2"}]},"hasNext":true}"#,
         #"{"incremental":[{"data":{"deals":[{"id":"p2","name":"Teapot"}]},"path":[],"label":"deals"}],"hasNext":false}"#),
    ])
    func theFirstPayloadComesBeforeAFetchOnlyForDeferredFragments(_ query: String, _ first: String, _ second: String) async throws {
        let name = "defer-incremental"
        try await withGateway(name) { client, hooks in
            func hook(_ h: String) async throws -> String? {
                try await hooks.send(.POST, "/\(name)/hook/\(h)", body: Array("{}".utf8)).json?["result"]?.stringValue
            }
            #expect(try await hook("arm") == "armed")
            var request = HTTPClientRequest(url: client.base + "/graphql")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "accept", value: "multipart/mixed;deferSpec=20220824,application/json")
            request.body = .bytes(ByteBuffer(string: #"{"query":"\#(query)"}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.headers.first(name: "content-type") == "multipart/mixed;boundary=graphql;deferSpec=20220824")
            var text = "", released = false, stateWhenFirstCame: String?
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if !released, Self.parts(text).count >= 1 {
                    // The first payload is here: pricing must still be held.
                    stateWhenFirstCame = try await hook("state")
                    _ = try await hook("release")
                    released = true
                }
            }
            if !released { _ = try await hook("release") }
            #expect(stateWhenFirstCame == "armed", "the first payload came while pricing was held")
            let parts = Self.parts(text)
            try #require(parts.count == 2, "\(text)")
            #expect(parts[0] == (try JSONReader.parse(Array(first.utf8))), "\(text)")
            #expect(parts[1] == (try JSONReader.parse(Array(second.utf8))), "\(text)")
        }
    }

    /// A fetch's error goes with the fragment that writes the failing field: a fragment deferred
    /// inside another, or one of two sibling fragments at one path — not the first at that path.
    @Test func aDeferredFetchsErrorGoesWithTheFragmentOfItsField() async throws {
        try await withGateway("defer-incremental") { client, hooks in
            _ = try await hooks.send(.POST, "/defer-incremental/hook/fail", body: Array("{}".utf8))
            let query = #"{ products { id ... @defer(label: \"n\") { name ... @defer(label: \"price\") { price } } } }"#
            let r = try await client.post(#"{"query":"\#(query)"}"#, accept: "multipart/mixed;deferSpec=20220824,application/json")
            _ = try await hooks.send(.POST, "/defer-incremental/hook/heal", body: Array("{}".utf8))
            let entries = Self.parts(r.text).last?["incremental"]?.arrayValue ?? []
            #expect(entries.filter { $0["label"] == "n" }.count == 2 && entries.filter { $0["label"] == "price" }.count == 2, "\(r.text)")
            #expect(entries.filter { $0["label"] == "n" }.allSatisfy { $0["errors"] == nil }, "\(r.text)")
            // The subgraph's error names no path: it is at each object the fetch was for, each with
            // the fragment its failure nulled there.
            let holders = entries.filter { ($0["errors"]?.arrayValue ?? []).contains { $0["message"] == "pricing is down" } }
            #expect(holders.count == 2 && holders.allSatisfy { $0["label"] == "price" && $0["data"] == .null }, "\(r.text)")
        }
        try await withGateway("errors-and-nullability") { client, _ in
            let query = #"{ observatories { code telescopes { serial ... @defer(label: \"a\") { model } ... @defer(label: \"b\") { calibrationArcsec } } } }"#
            let r = try await client.post(#"{"query":"\#(query)"}"#, accept: "multipart/mixed;deferSpec=20220824,application/json")
            let entries = Self.parts(r.text).last?["incremental"]?.arrayValue ?? []
            let failing = try JSONReader.parse(Array(#"["observatories",0,"telescopes",1,"calibrationArcsec"]"#.utf8))
            let holders = entries.filter { ($0["errors"]?.arrayValue ?? []).contains { $0["path"] == failing } }
            #expect(holders.count == 1 && holders.first?["label"] == "b", "\(r.text)")
            #expect(holders.first?["path"] == (try JSONReader.parse(Array(#"["observatories",0,"telescopes",1]"#.utf8))))
        }
    }

    /// A deferred field that the parent's own subgraph answers is asked by an entity fetch of its
    /// own after the first payload: its non-null failure and its error stay in its fragment's
    /// entry, and the first payload does not wait for it.
    @Test func aDeferredFieldOfTheParentsSubgraphIsFetchedApart() async throws {
        try await withGateway("defer-same-subgraph") { client, _ in
            let accept = "multipart/mixed;deferSpec=20220824,application/json"
            let nonNull = Self.parts(try await client.post(#"{"query":"{ user(id: \"u2\") { id ... @defer { name } } }"}"#, accept: accept).text)
            #expect(nonNull.count == 2, "\(nonNull)")
            #expect(nonNull.first?["data"] == ["user": ["id": "u2"]] && nonNull.first?["errors"] == nil, "\(nonNull)")
            let entry = nonNull.last?["incremental"]?[0]
            #expect(entry?["data"] == .null && entry?["path"] == ["user"], "\(nonNull)")
            #expect(entry?["errors"]?[0]?["path"] == ["user", "name"], "\(nonNull)")
            let failing = Self.parts(try await client.post(#"{"query":"{ user(id: \"u1\") { id ... @defer { email } } }"}"#, accept: accept).text)
            #expect(failing.first?["data"] == ["user": ["id": "u1"]] && failing.first?["errors"] == nil, "\(failing)")
            #expect(failing.last?["incremental"]?[0]?["data"] == ["email": .null], "\(failing)")
            #expect(failing.last?["incremental"]?[0]?["errors"]?[0]?["path"] == ["user", "email"], "\(failing)")
            // Inline for a client that takes one response: the same answer as without @defer.
            let inline = try await client.query(#"{ user(id: "u1") { id ... @defer { name } } }"#)
            #expect(inline.text == #"{"data":{"user":{"id":"u1","name":"Ada"}}}"#)
        }
    }

    /// A `@defer` switched off beside an active one (the first payload then waits for every
    /// fetch): the active fragment's errors stay in its entry; a switched-off fragment's, now
    /// inline, are the first payload's.
    @Test func aSwitchedOffDeferLeavesTheOthersErrorsInTheirEntries() async throws {
        try await withGateway("defer-switched-off-errors") { client, _ in
            let accept = "multipart/mixed;deferSpec=20220824,application/json"
            for (query, variables) in [(#"{ user { id ... @defer(label: \"B\") { handle } ... @defer(if: false) { id } } }"#, "{}"),
                                       (#"query($d: Boolean!) { user { id ... @defer(label: \"B\") { handle } ... @defer(if: $d) { id } } }"#, #"{"d":false}"#)] {
                let parts = Self.parts(try await client.post(#"{"query":"\#(query)","variables":\#(variables)}"#, accept: accept).text)
                #expect(parts.count == 2, "\(query): \(parts)")
                #expect(parts.first?["data"] == ["user": ["id": "u3"]] && parts.first?["errors"] == nil, "\(query): \(parts)")
                let entry = parts.last?["incremental"]?[0]
                #expect(entry?["label"] == "B" && entry?["data"] == .null, "\(query): \(parts)")
                #expect(entry?["errors"]?[0]?["path"] == ["user", "handle"], "\(query): \(parts)")
            }
            // The failing field in the switched-off fragment: inline, its error in the first payload.
            let inline = Self.parts(try await client.post(#"{"query":"query($d: Boolean!) { users { id ... @defer(if: $d) { mood } ... @defer(label: \"L\") { id } } }","variables":{"d":false}}"#,
                                                          accept: accept).text)
            #expect(inline.first?["errors"]?.arrayValue?.count == 2, "\(inline)")
            #expect(inline.first?["data"]?["users"]?[1]?["mood"] == .null, "\(inline)")
            #expect(inline.last?["incremental"]?.arrayValue?.allSatisfy { $0["errors"] == nil } == true, "\(inline)")
        }
    }

    /// A non-null value missing from a deferred fragment's answer (an entity its subgraph does
    /// not know) has its error in the fragment's entry, beside another fetch's unrelated error.
    @Test func aDeferredFragmentsGatewayMadeErrorIsKeptBesideASubgraphs() async throws {
        try await withGateway("defer-null-entity-errors") { client, _ in
            let parts = Self.parts(try await client.post(#"{"query":"{ users { id ... @defer(label: \"A\") { mood handle } } }"}"#,
                                                         accept: "multipart/mixed;deferSpec=20220824,application/json").text)
            let entries = parts.last?["incremental"]?.arrayValue ?? []
            #expect(entries.count == 2, "\(parts)")
            #expect(entries.first?["errors"]?[0]?["path"] == ["users", 0, "mood"], "\(parts)")
            #expect(entries.last?["data"] == .null, "\(parts)")
            #expect(entries.last?["errors"]?[0]?["message"] == "Cannot return null for non-nullable field User.handle.", "\(parts)")
            #expect(entries.last?["errors"]?[0]?["path"] == ["users", 1, "handle"], "\(parts)")
        }
    }

    /// Two deferred fragments at one path with fields of one subgraph: each has its own fetch,
    /// so one's non-null failure leaves the other's data (each fragment is its own boundary).
    @Test func siblingDeferredFragmentsFailApart() async throws {
        try await withGateway("defer-sibling-fragments") { client, _ in
            for query in [#"{ user { id ... @defer(label: \"A\") { karma } ... @defer(label: \"B\") { handle } } }"#,
                          #"{ user { id ... @defer(label: \"A\") { karma ... @defer(label: \"B\") { handle } } } }"#] {
                let parts = Self.parts(try await client.post(#"{"query":"\#(query)"}"#, accept: "multipart/mixed;deferSpec=20220824,application/json").text)
                let entries = parts.last?["incremental"]?.arrayValue ?? []
                let a = entries.first { $0["label"] == "A" }, b = entries.first { $0["label"] == "B" }
                #expect(a?["data"] == ["karma": 2] && a?["errors"] == nil, "\(query): \(parts)")
                #expect(b?["data"] == .null && b?["errors"]?[0]?["path"] == ["user", "handle"], "\(query): \(parts)")
            }
        }
    }

    /// A deferred fetch's errors go with the fragment it is for: sibling fragments at one path
    /// asking one failing field each carry their own error (located in their own fragment), and a
    /// fragment nested in one whose data was nulled is dropped with its errors.
    @Test func deferredErrorsGoWithTheirOwnFragment() async throws {
        try await withGateway("defer-fragment-errors") { client, _ in
            func entries(_ query: String) async throws -> [JSON] {
                let parts = Self.parts(try await client.post(#"{"query":\#(JSON.string(query).text)}"#, accept: "multipart/mixed;deferSpec=20220824,application/json").text)
                #expect(parts.first?["errors"] == nil, "\(query): \(parts)")
                return parts.last?["incremental"]?.arrayValue ?? []
            }
            func errors(_ entry: JSON?) -> [JSON] { entry?["errors"]?.arrayValue?.map { ["path": $0["path"] ?? .null, "column": $0["locations"]?[0]?["column"] ?? .null] } ?? [] }
            let twice = #"{ user(id: "u3") { id ... @defer(label: "A") { nick } ... @defer(label: "B") { nick } } }"#
            var got = try await entries(twice)
            #expect(errors(got.first { $0["label"] == "A" }) == [["path": ["user", "nick"], "column": 48]], "\(got)")
            #expect(errors(got.first { $0["label"] == "B" }) == [["path": ["user", "nick"], "column": 80]], "\(got)")
            got = try await entries(#"{ user(id: "u3") { id ... @defer(label: "A") { handle } ... @defer(label: "B") { handle } } }"#)
            for label in ["A", "B"] {
                let e = got.first { $0["label"] == .string(label) }
                #expect(e?["data"] == .null && errors(e).map { $0["path"] } == [["user", "handle"]], "\(label): \(got)")
            }
            for query in [#"{ user(id: "u3") { id ... @defer(label: "A") { handle ... @defer(label: "B") { nick } } } }"#,
                          #"{ user(id: "u3") { id ... @defer(label: "A") { handle pet { ... @defer(label: "B") { sound } } } } }"#] {
                got = try await entries(query)
                #expect(got.count == 1 && got[0]["label"] == "A" && got[0]["data"] == .null, "\(query): \(got)")
                #expect(errors(got.first).map { $0["path"] } == [["user", "handle"]], "\(query): \(got)")
            }
        }
    }

    /// The fragments are numbered by a walk of the operation, not by where they are defined: a
    /// plan made for a text whose named fragments come in another order routes the same way.
    @Test func aPlanSharedByTextsWithFragmentsInAnotherOrderRoutesErrorsRight() async throws {
        try await withGateway("defer-fragment-errors") { client, _ in
            let p = #"fragment P on User { ... @defer(label: "X") { handle ... @defer(label: "Y") { nick } } }"#
            let q = #"fragment Q on User { ... @defer(label: "Z") { pet { sound } } }"#
            let operation = #"{ user(id: "u3") { id ...P ...Q } } "#
            for text in [operation + p + " " + q, operation + q + " " + p] {
                let parts = Self.parts(try await client.post(#"{"query":\#(JSON.string(text).text)}"#, accept: "multipart/mixed;deferSpec=20220824,application/json").text)
                let entries = parts.last?["incremental"]?.arrayValue ?? []
                let x = entries.first { $0["label"] == "X" }, z = entries.first { $0["label"] == "Z" }
                #expect(entries.count == 2 && x?["data"] == .null, "\(text): \(parts)")
                #expect(x?["errors"]?.arrayValue?.map { $0["path"] } == [["user", "handle"]], "\(text): \(parts)")
                #expect(z?["errors"]?.arrayValue?.map { $0["path"] } == [["user", "pet", "sound"]], "\(text): \(parts)")
            }
        }
    }

    /// A `@defer` switched off around an active one: the switched-off fragment's errors are the
    /// first payload's, the active one's its own.
    @Test func errorsOfASwitchedOffFragmentAroundAnActiveOneStayInTheFirstPayload() async throws {
        try await withGateway("defer-switched-off-outer") { client, _ in
            for (inner, innerErrors) in [("nick mood", [["user", "nick"]] as [JSON]), ("nick @skip(if: true) mood", [])] {
                let query = #"query($d: Boolean!) { user(id: "u1") { ... @defer(if: $d) { nick ... @defer(label: "L1") { \#(inner) } } } }"#
                let parts = Self.parts(try await client.post(#"{"query":\#(JSON.string(query).text),"variables":{"d":false}}"#,
                                                             accept: "multipart/mixed;deferSpec=20220824,application/json").text)
                #expect(parts.first?["errors"]?.arrayValue?.map { $0["path"] } == [["user", "nick"]], "\(inner): \(parts)")
                let entry = parts.last?["incremental"]?[0]
                #expect((entry?["errors"]?.arrayValue ?? []).map { $0["path"] ?? .null } == innerErrors, "\(inner): \(parts)")
            }
            // Switched off inside an active one: its fields' errors are that fragment's.
            let query = #"query($d: Boolean!) { user(id: "u1") { id ... @defer(label: "L1") { mood ... @defer(if: $d) { nick } } } }"#
            let parts = Self.parts(try await client.post(#"{"query":\#(JSON.string(query).text),"variables":{"d":false}}"#,
                                                         accept: "multipart/mixed;deferSpec=20220824,application/json").text)
            #expect(parts.first?["errors"] == nil, "\(parts)")
            #expect(parts.last?["incremental"]?[0]?["errors"]?.arrayValue?.map { $0["path"] } == [["user", "nick"]], "\(parts)")
        }
    }

    /// A deferred fetch and a non-deferred one asking the same of one subgraph report apart.
    @Test func identicalDeferredAndFirstPayloadFetchesReportApart() async throws {
        try await withGateway("defer-same-fetch-apart") { client, _ in
            let accept = "multipart/mixed;deferSpec=20220824,application/json"
            let both = Self.parts(try await client.post(#"{"query":"{ x: user(id: \"u1\") { ... @defer { nick } } user(id: \"u1\") { nick } }"}"#, accept: accept).text)
            #expect(both.first?["errors"]?.arrayValue?.map { $0["path"] } == [["user", "nick"]], "\(both)")
            #expect(both.last?["incremental"]?[0]?["errors"]?.arrayValue?.map { $0["path"] } == [["x", "nick"]], "\(both)")
            let lone = Self.parts(try await client.post(#"{"query":"{ x: user(id: \"zz\") { ... @defer { nick } } user(id: \"u1\") { nick } }"}"#, accept: accept).text)
            #expect(lone.first?["errors"]?.arrayValue?.map { $0["path"] } == [["user", "nick"]], "\(lone)")
        }
    }

    /// Apollo Kotlin and Apollo iOS send every operation with `multipart/mixed;deferSpec=20220824`
    /// first in their Accept: one without a deferred fragment (a `@defer(if: false)` included) is
    /// one response of the JSON type they accept beside it, which they read as any other.
    @Test func anOperationWithoutDeferredFragmentsIsOneResponseToApolloMobileClients() async throws {
        try await withGateway { client, _ in
            let accepts = [("multipart/mixed;deferSpec=20220824, application/graphql-response+json, application/json", "application/graphql-response+json"),
                           ("multipart/mixed; deferSpec=20220824, application/json", "application/json")]
            for (accept, type) in accepts {
                for query in [#"{ product { __typename } }"#, #"{ product { ... @defer(if: false) { __typename } } }"#] {
                    let r = try await client.post(#"{"query":\#(JSON.string(query).text)}"#, accept: accept)
                    #expect(r.status == 200)
                    #expect(r.contentType?.hasPrefix(type) == true, "\(accept): \(r.contentType ?? "none")")
                    #expect(r.json?["data"]?["product"]?["__typename"] == "Product", "\(r.text)")
                }
            }
        }
    }

    /// A client that takes multipart only as the incremental format (`deferSpec`, nothing
    /// else) gets an operation without deferred fragments as that format's one part — not a
    /// subscription's `{"payload":…}` part it cannot read.
    @Test func anOperationWithoutDeferredFragmentsIsOneIncrementalPartToADeferOnlyClient() async throws {
        try await withGateway { client, _ in
            let r = try await client.post(#"{"query":"{ product { __typename } }"}"#, accept: "multipart/mixed;deferSpec=20220824")
            #expect(r.status == 200)
            #expect(r.contentType == "multipart/mixed;boundary=graphql;deferSpec=20220824", "\(r.contentType ?? "none")")
            let parts = Self.parts(r.text)
            #expect(parts.count == 1 && parts.first?["data"]?["product"]?["__typename"] == "Product" && parts.first?["hasNext"] == false, "\(r.text)")
        }
    }

    /// A client asking for another version of the incremental format is not served this one:
    /// with a JSON type beside it, it gets the fragments inline in one response; with nothing
    /// else acceptable, 406.
    @Test func anotherDeferSpecIsNotServedThisOne() async throws {
        try await withGateway { client, _ in
            let query = #"{ product { __typename ... @defer { __typename } } }"#
            let inline = try await client.post(#"{"query":\#(JSON.string(query).text)}"#, accept: "multipart/mixed;deferSpec=20230621, application/json")
            #expect(inline.contentType?.hasPrefix("application/json") == true, "\(inline.contentType ?? "none")")
            #expect(inline.json?["data"]?["product"]?["__typename"] == "Product")
            let none = try await client.post(#"{"query":\#(JSON.string(query).text)}"#, accept: "multipart/mixed;deferSpec=20230621")
            #expect(none.status == 406)
        }
    }

    /// A shared root field whose every part is deferred: the first payload still has the root
    /// field (its fetches are not all taken for deferred-only ones), the fragments follow.
    @Test func aRootFieldWhosePartsAreAllDeferredIsInTheFirstPayload() async throws {
        try await withGateway { client, _ in
            let query = #"{ product { ... @defer(label: \"n\") { name { brand } } ... @defer(label: \"p\") { price { amount } } } }"#
            let r = try await client.post(#"{"query":"\#(query)"}"#, accept: "multipart/mixed;deferSpec=20220824,application/json")
            let parts = Self.parts(r.text)
            try #require(parts.count == 2, "\(r.text)")
            #expect(parts[0] == (try JSONReader.parse(Array(#"{"data":{"product":{}},"hasNext":true}"#.utf8))))
            let entries = parts[1]["incremental"]?.arrayValue ?? []
            #expect(entries.first { $0["label"] == "n" }?["data"] == (try JSONReader.parse(Array(#"{"name":{"brand":"Brand 1"}}"#.utf8))))
            #expect(entries.first { $0["label"] == "p" }?["data"] == (try JSONReader.parse(Array(#"{"price":{"amount":1000}}"#.utf8))))
        }
    }

    /// A deferred fetch that fails reports with the deferred fragments (an error with a path with
    /// the fragment whose path holds it, one without with the first), not in the first payload,
    /// whose data it does not touch.
    @Test func aFailedDeferredFetchReportsInTheLaterPayload() async throws {
        let name = "defer-incremental"
        try await withGateway(name) { client, hooks in
            _ = try await hooks.send(.POST, "/\(name)/hook/fail", body: Array("{}".utf8))
            let query = #"{ products { id ... @defer(label: \"price\") { discount } } }"#
            let r = try await client.post(#"{"query":"\#(query)"}"#, accept: "multipart/mixed;deferSpec=20220824,application/json")
            _ = try await hooks.send(.POST, "/\(name)/hook/heal", body: Array("{}".utf8))
            let parts = Self.parts(r.text)
            try #require(parts.count == 2, "\(r.text)")
            #expect(parts[0] == (try JSONReader.parse(Array(#"{"data":{"products":[{"id":"p1"},{"id":"p2"}]},"hasNext":true}"#.utf8))))
            let entries = parts[1]["incremental"]?.arrayValue ?? []
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0["data"]?["discount"] == .null })
            let errors = entries.flatMap { $0["errors"]?.arrayValue ?? [] }
            #expect(!errors.isEmpty, "the fetch's error is in the later payload: \(r.text)")
            #expect(errors.allSatisfy { $0["message"] == "pricing is down" })
        }
    }
}

