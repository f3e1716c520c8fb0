import Federation
import GraphQLCore
import Testing

/// The API schema clients see, from a supergraph in the form Apollo's composition writes.
@Suite("API schema")
struct APISchemaTests {
    /// A supergraph as Apollo composes `@requiresScopes`, `@policy` and `@context`: each spec
    /// linked, its scalars in its namespace.
    static let supergraph = """
        schema
          @link(url: "https://specs.apollo.dev/link/v1.0")
          @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
          @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
          @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)
          @link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)
        { query: Query }

        directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION
        directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
        directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
        directive @join__graph(name: String!, url: String!) on ENUM_VALUE
        directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
        directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
        directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
        directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
        directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
        directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

        scalar context__ContextFieldValue
        input join__ContextArgument { name: String! type: String! context: String! selection: join__FieldValue! }
        scalar join__DirectiveArguments
        scalar join__FieldSet
        scalar join__FieldValue
        enum join__Graph { A @join__graph(name: "a", url: "http://a.invalid/graphql") }
        scalar link__Import
        enum link__Purpose { SECURITY EXECUTION }
        scalar policy__Policy
        scalar requiresScopes__Scope

        type Query @join__type(graph: A) {
          secret: String @requiresScopes(scopes: [["read"]])
          rule: String @policy(policies: [["p"]])
          scope: Scope
        }
        scalar Scope @join__type(graph: A)
        """

    @Test func theLinkedSpecsTypesAreNotTheClients() throws {
        let api = try Supergraph(sdl: Self.supergraph).apiSchema
        for name in ["requiresScopes__Scope", "policy__Policy", "context__ContextFieldValue", "join__FieldSet", "link__Import", "link__Purpose"] {
            #expect(api.types[name] == nil, "\(name) is in the API schema")
        }
        // The clients' own types stay, a scalar named like a spec's type included.
        #expect(api.types["Scope"] != nil)
        #expect(api.types["Query"]?.fields["secret"] != nil)
    }

    /// A default value naming an `@inaccessible` enum value or input field (of an argument, an
    /// input field, a directive's argument) refuses the supergraph, as Apollo's router does: served,
    /// the hidden name showed in introspection or the default changed silently (probe 53A).
    /// A supergraph of the core spec (join v0.1) that names the inaccessible feature otherwise
    /// (`@core(feature: …, as: "secretive")`): `@secretive` hides, as `@link(…, as:)` would (probe
    /// 55H: the hidden field and type were served).
    @Test func aRenamedCoreFeatureStillHides() throws {
        let sdl = """
            schema
              @core(feature: "https://specs.apollo.dev/core/v0.2")
              @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
              @core(feature: "https://specs.apollo.dev/inaccessible/v0.1", as: "secretive", for: SECURITY)
            { query: Query }
            directive @core(as: String, feature: String!, for: core__Purpose) repeatable on SCHEMA
            directive @join__field(graph: join__Graph, provides: join__FieldSet, requires: join__FieldSet) on FIELD_DEFINITION
            directive @join__graph(name: String!, url: String!) on ENUM_VALUE
            directive @join__owner(graph: join__Graph!) on INTERFACE | OBJECT
            directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on INTERFACE | OBJECT
            directive @secretive on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
            enum core__Purpose { EXECUTION SECURITY }
            scalar join__FieldSet
            enum join__Graph { A @join__graph(name: "a", url: "http://a") }
            type Query { visible: String @join__field(graph: A) secret: String @join__field(graph: A) @secretive u: U @join__field(graph: A) }
            union U = X | H
            type X @join__owner(graph: A) @join__type(graph: A, key: "id") { id: ID! @join__field(graph: A) }
            type H @join__owner(graph: A) @join__type(graph: A, key: "id") @secretive { id: ID! @join__field(graph: A) }
            """
        let api = try Supergraph(sdl: sdl).apiSchema
        #expect(api.types["Query"]?.fields.keys.sorted() == ["u", "visible"])
        #expect(api.types["H"] == nil)
        #expect(api.types["U"]?.possibleTypes == ["X"])
    }

    @Test func aDefaultValueUsingAnInaccessibleElementIsRefused() throws {
        let head = Self.supergraph.components(separatedBy: "type Query @join__type(graph: A) {")[0]
            + "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION\n"
            + "enum Color @join__type(graph: A) { RED SECRET @inaccessible }\ninput Filter @join__type(graph: A) { name: String hidden: String @inaccessible }\n"
        for (body, named) in [("type Query @join__type(graph: A) { paint(color: Color = SECRET): String }", "Color.SECRET"),
                              ("type Query @join__type(graph: A) { paint(colors: [Color!] = [RED, SECRET]): String }", "Color.SECRET"),
                              ("type Query @join__type(graph: A) { search(filter: Filter = {name: \"x\", hidden: \"y\"}): String }", "Filter.hidden"),
                              ("type Query @join__type(graph: A) { a: Int }\ninput Outer @join__type(graph: A) { f: Filter = {hidden: \"y\"} }", "Filter.hidden"),
                              ("type Query @join__type(graph: A) { a: Int }\ndirective @paint(color: Color = SECRET) on FIELD", "Color.SECRET")] {
            do {
                _ = try Supergraph(sdl: head + body)
                Issue.record("accepted: \(body)")
            } catch let e as FederationError {
                #expect(e.code == .invalidSupergraph && e.message.contains(named) && e.message.contains("@inaccessible"), "\(e)")
            }
        }
        // Visible defaults, and a hidden argument's default, are fine.
        let fine = try Supergraph(sdl: head + "type Query @join__type(graph: A) { paint(color: Color = RED, f: Filter = {name: \"x\"}, x: Color = SECRET @inaccessible): String }")
        #expect(fine.apiSchema.types["Query"]?.fields["paint"]?.arguments.keys.elements == ["color", "f"])
    }

    /// A supergraph composed elsewhere whose required arguments, input fields or directive
    /// arguments are `@deprecated` is served, as Apollo's router serves its fixture
    /// `supergraph_with_deprecated_required_input_values` (probe 53A: refused before); introspection
    /// shows them deprecated. (Our composition refuses such subgraphs: §3.6.1.)
    @Test func deprecatedRequiredInputsOfASupergraphAreServed() async throws {
        let head = Self.supergraph.components(separatedBy: "type Query @join__type(graph: A) {")[0]
        let sdl = head + """
            directive @hint(legacy: Int! @deprecated(reason: "use ttl"), ttl: Int) on FIELD_DEFINITION
            input Filter @join__type(graph: A) { legacy: String! @deprecated(reason: "use name") name: String }
            type Query @join__type(graph: A) { items(filter: Filter, legacyRegion: String! @deprecated(reason: "use region"), region: String): String }
            """
        let supergraph = try Supergraph(sdl: sdl)
        let query = try #require(supergraph.apiSchema.types["Query"]?.fields["items"])
        #expect(query.arguments["legacyRegion"]?.deprecationReason == "use region")
        #expect(supergraph.apiSchema.types["Filter"]?.inputFields["legacy"]?.isDeprecated == true)
        // The same document's API schema, validated as a schema of its own, is what §3.6.1 refuses.
        #expect(SchemaValidator.deprecatedRequiredInputs(supergraph.apiSchema).map(\.message).sorted() == [
            "Required argument Query.items(legacyRegion:) cannot be deprecated.",
            "Required input field Filter.legacy cannot be deprecated.",
        ])
        // A schema of its own (a subgraph's) is refused for them, a directive's argument included.
        do {
            _ = try Schema(sdl: "directive @hint(legacy: Int! @deprecated) on FIELD_DEFINITION type Query { a: Int }")
            Issue.record("a deprecated required directive argument was accepted")
        } catch {
            #expect("\(error)".contains("Required argument @hint(legacy:) cannot be deprecated."), "\(error)")
        }
    }
}
