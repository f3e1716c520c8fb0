import GraphQLCore
import OrderedCollections

/// `@composeDirective`: a subgraph asks for one of its own directives to be kept in the
/// supergraph. The directive must come from a linked feature (`@link(url: ".../foo/v1.0",
/// import: ["@foo"])`), and every subgraph that composes it must mean the same feature's same
/// directive by the same name; the feature's newest linked version gives the definition.
extension Composer {
    /// A non-federation `@link` of one subgraph.
    struct FeatureLink {
        let url: String
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
                out.append(FeatureLink(url: url, identity: identity, version: version, namespace: d.string("as") ?? name, imports: imports))
            }
        }
        return out
    }

    /// Federation directives that composition carries into the supergraph anyway: asking for
    /// them with `@composeDirective` changes nothing (Apollo gives a hint), unlike the others.
    static let composedAnyway: Set<String> = ["tag", "inaccessible", "authenticated", "requiresScopes", "policy", "cost", "listSize"]

    /// Each composed directive as the feature's newest version has it — among the subgraphs that
    /// compose any of its directives, whether or not they compose this one: Apollo's composition
    /// takes the definition there (where all link one version, the definitions merged stay) —,
    /// with that version's URL and the feature's own name for it (for the supergraph's `@link`).
    static func newestFeatureDefinitions(_ subgraphs: [SubgraphSchema],
                                         _ composed: inout OrderedDictionary<String, (definition: DirectiveDefinition, linkURL: String?)>) -> [String: String] {
        let links = subgraphs.map(featureLinks)
        var originals: [String: String] = [:]
        for name in composed.keys {
            guard let (identity, original) = subgraphs.indices.lazy.compactMap({ i -> (String, String)? in
                guard subgraphs[i].composedDirectives[name] != nil else { return nil }
                return links[i].lazy.compactMap { l in l.original(of: name).map { (l.identity, $0) } }.first
            }).first else { continue }
            let composing = subgraphs.indices.filter { i in
                subgraphs[i].composedDirectives.keys.contains { n in links[i].contains { $0.identity == identity && $0.original(of: n) != nil } }
            }
            let linked = composing.flatMap { i in links[i].filter { $0.identity == identity }.map { (i, $0) } }
            guard let newest = linked.map(\.1.version).max(by: { ($0.major, $0.minor) < ($1.major, $1.minor) }) else { continue }
            let atNewest = linked.filter { $0.1.version == newest }
            originals[name] = original
            composed[name]!.linkURL = atNewest[0].1.url
            if atNewest.count == linked.count { continue }   // one version: the merged definition
            for (i, link) in atNewest {
                guard let local = link.local(of: original) else { continue }
                for case .directive(var d) in subgraphs[i].document.definitions where d.name.value == local {
                    d.name = Name(name)
                    composed[name]!.definition = d
                    break
                }
                break
            }
        }
        return originals
    }

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
                        fail("Subgraph \"\(sg.name)\": directive \"\(raw)\" may not be composed: its name belongs to the supergraph's join and link specs.")
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
            // Every subgraph's link to the feature: one major version; and each directive composed
            // from it defined by some subgraph linking its newest version among those composing
            // any of its directives (not necessarily that directive).
            let linked = subgraphs.indices.flatMap { i in links[i].filter { $0.identity == identity }.map { (i, $0) } }
            let composing = Set(uses.values.flatMap { $0.filter { $0.identity == identity }.map(\.subgraph) })
            let majors = OrderedSet(linked.map(\.1.version.major))
            if majors.count > 1 {
                fail("Core feature \"\(identity)\" requested to be merged has major version mismatch across subgraphs (" + majors.map { "v\($0).x" }.joined(separator: ", ") + ").")
                continue
            }
            let considered = linked.filter { composing.contains(subgraphs[$0.0].name) }
            guard let newest = considered.map(\.1.version).max(by: { ($0.major, $0.minor) < ($1.major, $1.minor) }) else { continue }
            let atNewest = considered.filter { $0.1.version == newest }
            for original in originals.keys {
                let defined = atNewest.contains { i, link in
                    guard let local = link.local(of: original) else { return false }
                    return subgraphs[i].document.definitions.contains { if case .directive(let d) = $0 { return d.name.value == local } else { return false } }
                }
                if !defined {
                    fail("Core feature \"\(identity)\" in subgraph \"\(subgraphs[atNewest[0].0].name)\" (its newest version, v\(newest.major).\(newest.minor)) does not have a directive definition for \"@\(original)\".")
                }
            }
        }
        return errors
    }
}
