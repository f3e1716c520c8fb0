import GraphQLCore
import OrderedCollections

/// `@composeDirective`: a subgraph asks for one of its own directives to be kept in the
/// supergraph. The directive must come from a linked feature (`@link(url: ".../foo/v1.0",
/// import: ["@foo"])`), and every subgraph that composes it must mean the same feature's same
/// directive by the same name; the feature's newest linked version gives the definition.
extension Composer {
    /// A non-federation `@link` of one subgraph.
    struct FeatureLink {
        let identity: String          // the url without its version
        let version: (major: Int, minor: Int)
        let namespace: String         // `as:`, else the feature's name
        let imports: [String: String] // local directive name → the feature's name for it

        /// The feature's name for a local directive name, when the link brings it in.
        func original(of local: String) -> String? {
            if let o = imports[local] { return o }
            if local == namespace { return namespace }
            if local.hasPrefix(namespace + "__") { return String(local.dropFirst(namespace.count + 2)) }
            return nil
        }

        /// The local name this link gives a directive of the feature, if it does.
        func local(of original: String) -> String? {
            if let l = imports.first(where: { $0.value == original })?.key { return l }
            return original == namespace ? namespace : namespace + "__" + original
        }
    }

    static func featureLinks(_ sg: SubgraphSchema) -> [FeatureLink] {
        var out: [FeatureLink] = []
        for case .schema(let schema) in sg.document.definitions {
            for d in schema.directives where d.name.value == "link" {
                guard let url = d.string("url"), let version = SubgraphSchema.featureVersion(url),
                      !url.contains("specs.apollo.dev/federation/"), !url.contains("specs.apollo.dev/link/") else { continue }
                let identity = String(url[..<(url.lastIndex(of: "/") ?? url.endIndex)])
                let name = identity.split(separator: "/").last.map(String.init) ?? ""
                var imports: [String: String] = [:]
                for (from, to) in SubgraphSchema.linkImports(d) where from.hasPrefix("@") {
                    imports[to.hasPrefix("@") ? String(to.dropFirst()) : to] = String(from.dropFirst())
                }
                out.append(FeatureLink(identity: identity, version: version, namespace: d.string("as") ?? name, imports: imports))
            }
        }
        return out
    }

    /// Federation directives that composition carries into the supergraph anyway: asking for
    /// them with `@composeDirective` changes nothing (Apollo gives a hint), unlike the others.
    static let composedAnyway: Set<String> = ["tag", "inaccessible", "authenticated", "requiresScopes", "policy", "cost", "listSize"]

    /// What is wrong with the subgraphs' `@composeDirective` applications, each with Apollo's code.
    static func composeDirectiveErrors(_ subgraphs: [SubgraphSchema]) -> [CompositionError] {
        var errors: [CompositionError] = []
        func fail(_ message: String, _ code: CompositionError.Code = .directiveCompositionError) {
            errors.append(CompositionError(code, message))
        }
        // Per composed local name: (subgraph, feature identity, the feature's name for it).
        var uses = OrderedDictionary<String, [(subgraph: String, identity: String, original: String)]>()
        let links = subgraphs.map(featureLinks)
        for (i, sg) in subgraphs.enumerated() {
            var definitions = Set<String>()
            for case .directive(let d) in sg.document.definitions { definitions.insert(d.name.value) }
            for case .schema(let schema) in sg.document.definitions {
                for d in schema.directives where sg.federationName(d) == "composeDirective" {
                    guard let raw = d.string("name"), !raw.isEmpty else {
                        fail("Argument to @composeDirective in subgraph \"\(sg.name)\" cannot be NULL or an empty String.")
                        continue
                    }
                    guard raw.hasPrefix("@") else {
                        fail("Argument to @composeDirective \"\(raw)\" in subgraph \"\(sg.name)\" must have a leading \"@\".")
                        continue
                    }
                    let name = String(raw.dropFirst())
                    if let fed = sg.directiveNames[name] {
                        if !composedAnyway.contains(fed) {
                            fail("Composing federation directive \"\(raw)\" in subgraph \"\(sg.name)\" is not supported.")
                        }
                        continue
                    }
                    guard definitions.contains(name) || sg.directiveNames.keys.contains(name) else {
                        let near = Suggestions.didYouMean(Suggestions.list(name, definitions.sorted()).map { "@" + $0 })
                        fail("Could not find matching directive definition for argument to @composeDirective \"\(raw)\" in subgraph \"\(sg.name)\"." + near)
                        continue
                    }
                    if name.hasPrefix("join__") || name.hasPrefix("link__") {
                        fail("Subgraph \"\(sg.name)\": directive \"\(raw)\" may not be composed: its name belongs to the supergraph's join and link specs.", .invalidLinkDirectiveUsage)
                        continue
                    }
                    guard let (link, original) = links[i].lazy.compactMap({ l in l.original(of: name).map { (l, $0) } }).first else {
                        fail("Directive \"\(raw)\" in subgraph \"\(sg.name)\" cannot be composed because it is not a member of a core feature (no @link imports it).")
                        continue
                    }
                    uses[name, default: []].append((sg.name, link.identity, original))
                }
            }
        }
        // One name, one feature's one directive, everywhere.
        var composedFeatures = OrderedDictionary<String, OrderedDictionary<String, [String]>>() // identity → original → local names
        for (name, list) in uses {
            let identities = OrderedSet(list.map(\.identity)), originals = OrderedSet(list.map(\.original))
            if identities.count > 1 {
                fail("Composed directive \"@\(name)\" is not linked by the same core feature in every subgraph: " + list.map { "\"\($0.identity)\" in subgraph \"\($0.subgraph)\"" }.joined(separator: ", ") + ".")
            } else if originals.count > 1 {
                fail("Composed directive \"@\(name)\" does not refer to the same directive in every subgraph: " + list.map { "\"@\($0.original)\" in subgraph \"\($0.subgraph)\"" }.joined(separator: ", ") + ".")
            } else {
                composedFeatures[identities[0], default: [:]][originals[0], default: []].append(name)
            }
            // A federation directive the supergraph carries by this name elsewhere.
            let clashing = subgraphs.filter { sg in sg.directiveNames[name].map { composedAnyway.contains($0) } ?? false && !list.contains { $0.subgraph == sg.name } }
            if !clashing.isEmpty {
                fail("Directive \"@\(name)\" in subgraph \"\(list[0].subgraph)\" cannot be composed because it conflicts with automatically composed federation directive \"@\(name)\". Conflict exists in subgraph(s): (\(clashing.map(\.name).joined(separator: ", "))).")
            }
        }
        for (identity, originals) in composedFeatures {
            for (original, names) in originals where OrderedSet(names).count > 1 {
                fail("Composed directive is not named consistently in all subgraphs: \"@\(original)\" of \"\(identity)\" is composed as " + OrderedSet(names).map { "\"@\($0)\"" }.joined(separator: " and ") + ".")
            }
            // Every subgraph's link to the feature: one major version, and the newest link
            // defines every directive composed from it.
            let linked = subgraphs.indices.flatMap { i in links[i].filter { $0.identity == identity }.map { (i, $0) } }
            let majors = OrderedSet(linked.map(\.1.version.major))
            if majors.count > 1 {
                fail("Core feature \"\(identity)\" requested to be merged has major version mismatch across subgraphs (" + majors.map { "v\($0).x" }.joined(separator: ", ") + ").")
                continue
            }
            guard let newest = linked.max(by: { ($0.1.version.major, $0.1.version.minor) < ($1.1.version.major, $1.1.version.minor) }) else { continue }
            let sg = subgraphs[newest.0]
            var definitions = Set<String>()
            for case .directive(let d) in sg.document.definitions { definitions.insert(d.name.value) }
            for original in originals.keys {
                guard let local = newest.1.local(of: original), definitions.contains(local) else {
                    fail("Core feature \"\(identity)\" in subgraph \"\(sg.name)\" (its newest version, v\(newest.1.version.major).\(newest.1.version.minor)) does not have a directive definition for \"@\(original)\".")
                    continue
                }
            }
        }
        return errors
    }
}
