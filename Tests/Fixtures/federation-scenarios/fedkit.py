"""A small Apollo Federation v2 subgraph kit on graphql-core, for Switchyard's federation scenarios.

    Subgraph(name, sdl, resolvers)

resolvers: {"TypeName": {"field": fn(parent, args, info), "__resolveReference": fn(rep, info),
            "__resolveType": fn(obj) -> type name}}
Parent objects are dicts (default resolver reads parent[fieldName]) or anything a resolver handles.
A type without __resolveReference resolves a representation to the representation itself.
"""
import json
import re
from graphql import (
    build_ast_schema, parse, graphql_sync, GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType,
)
from graphql.language import ast as A

FED_EXTRA = '''
scalar _Any
type _Service { sdl: String }
'''


EXECUTABLE_LOCATIONS = {"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
                        "INLINE_FRAGMENT", "VARIABLE_DEFINITION"}


def _directive_names(node):
    return [d.name.value for d in (node.directives or [])]


def _is_key(name):
    return name in ("key", "federation__key")


class Subgraph:
    def __init__(self, name, sdl, resolvers=None):
        self.name = name
        self.sdl = sdl
        self.resolvers = resolvers or {}
        self.schema = self._build()

    def _build(self):
        doc = parse(self.sdl)
        defined = set()
        for d in doc.definitions:
            if isinstance(d, A.TypeDefinitionNode):
                defined.add(d.name.value)
        defs = []
        entity_types = []
        root = "Query"
        for d in doc.definitions:
            if isinstance(d, A.SchemaDefinitionNode):
                # a renamed root (`schema { query: RootQuery }`) is kept, the federation fields go on it
                root = next((o.type.name.value for o in d.operation_types if o.operation.value == "query"), root)
                defs.append(d)
                continue
            if isinstance(d, A.SchemaExtensionNode):
                continue
            if isinstance(d, A.DirectiveDefinitionNode):
                # assume_valid_sdl: type-system directive definitions are not needed; executable
                # ones are kept, so that operations may use them
                if all(loc.value in EXECUTABLE_LOCATIONS for loc in d.locations):
                    defs.append(d)
                continue
            if isinstance(d, A.ObjectTypeExtensionNode) and d.name.value not in defined:
                d = A.ObjectTypeDefinitionNode(name=d.name, interfaces=d.interfaces, directives=d.directives,
                                               fields=d.fields, description=None)
                defined.add(d.name.value)
            elif isinstance(d, A.InterfaceTypeExtensionNode) and d.name.value not in defined:
                d = A.InterfaceTypeDefinitionNode(name=d.name, interfaces=d.interfaces, directives=d.directives,
                                                  fields=d.fields, description=None)
                defined.add(d.name.value)
            defs.append(d)
        for d in defs:
            if isinstance(d, (A.ObjectTypeDefinitionNode, A.ObjectTypeExtensionNode)):
                if any(_is_key(n) for n in _directive_names(d)) and d.name.value not in entity_types:
                    entity_types.append(d.name.value)
        extra = FED_EXTRA
        if entity_types:
            extra += "union _Entity = " + " | ".join(entity_types) + "\n"
        has_query = root in defined or any(
            isinstance(d, A.ObjectTypeExtensionNode) and d.name.value == root for d in defs)
        qfields = "_service: _Service!\n"
        if entity_types:
            qfields += "_entities(representations: [_Any!]!): [_Entity]!\n"
        extra += (f"extend type {root} {{\n" if has_query else f"type {root} {{\n") + qfields + "}\n"
        # scalars the SDL uses for directive arguments only are irrelevant; others it defines itself
        doc2 = A.DocumentNode(definitions=defs + list(parse(extra).definitions))
        # merge `extend type Query` into the definition if both exist: build_ast_schema handles extensions
        schema = build_ast_schema(doc2, assume_valid_sdl=True)
        self._wire(schema)
        return schema

    def _wire(self, schema):
        for tname, t in schema.type_map.items():
            if tname.startswith("__"):
                continue
            rs = self.resolvers.get(tname, {})
            if isinstance(t, GraphQLObjectType):
                for fname, field in t.fields.items():
                    fn = rs.get(fname)
                    if fn is not None:
                        field.resolve = (lambda fn: lambda obj, info, **kw: fn(obj, kw, info))(fn)
                    else:
                        field.resolve = _default_resolver
            elif isinstance(t, (GraphQLInterfaceType, GraphQLUnionType)):
                t.resolve_type = (lambda tname, rs: lambda obj, info, typ: self._resolve_type(tname, rs, obj))(tname, rs)
        q = schema.query_type
        q.fields["_service"].resolve = lambda obj, info: {"sdl": self.sdl}
        if "_entities" in q.fields:
            q.fields["_entities"].resolve = self._entities

    def _resolve_type(self, tname, rs, obj):
        if "__resolveType" in rs:
            return rs["__resolveType"](obj)
        if isinstance(obj, dict) and "__typename" in obj:
            return obj["__typename"]
        return None

    def _entities(self, obj, info, representations):
        out = []
        for rep in representations:
            tname = rep.get("__typename")
            t = self.schema.type_map.get(tname)
            if t is None:
                raise Exception(f"unknown type {tname}")
            fn = self.resolvers.get(tname, {}).get("__resolveReference")
            value = fn(rep, info) if fn else dict(rep)
            if isinstance(t, GraphQLInterfaceType) and isinstance(value, dict):
                # @apollo/subgraph: an entity interface's reference is typed by its __resolveType,
                # then resolved by that object type's own __resolveReference.
                concrete = self._resolve_type(tname, self.resolvers.get(tname, {}), value)
                if concrete and concrete != tname:
                    ofn = self.resolvers.get(concrete, {}).get("__resolveReference")
                    value = dict(ofn({**value, "__typename": concrete}, info) if ofn else value)
                    if value is not None:
                        value["__typename"] = concrete
            if value is not None and isinstance(value, dict) and isinstance(t, GraphQLObjectType):
                value = dict(value)
                value["__typename"] = tname  # as @apollo/subgraph does for object types
            if isinstance(value, Exception):
                raise value
            out.append(value)
        return out


def _default_resolver(obj, info, **kw):
    if isinstance(obj, dict):
        v = obj.get(info.field_name)
    else:
        v = getattr(obj, info.field_name, None)
    if callable(v):
        return v(kw, info)
    return v


class RequestFailed(Exception):
    """Raised by a resolver: the whole request fails, answered HTTP 500 with `errors` only (no
    `data`), as a subgraph that fails before or around execution answers."""


def execute(sub, body):
    result = graphql_sync(sub.schema, body.get("query", ""), root_value={},
                          variable_values=body.get("variables"), operation_name=body.get("operationName"))
    for e in result.errors or []:
        if isinstance(e.original_error, RequestFailed):
            raise e.original_error
    response = {}
    if result.errors:
        response["errors"] = [e.formatted for e in result.errors]
    response["data"] = result.data
    return response
