"""Operations for the differential conformance test, generated from schema.graphql with a fixed seed.

    python3 generate.py [--count N] [--seed S]      # one JSON operation a line on stdout

Each operation: {"id", "tag", "query", "variables"?, "operationName"?}. The tag says how it was
made: "fixed:..." (hand-written cases, always first), "valid", "introspection", or
"invalid:<mutation>" (a valid operation with one mutation applied — some mutations keep the
operation valid, e.g. an int for an ID; the reference server decides what is valid, the
generator only aims).
"""
import copy
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pin  # noqa: E402

if "graphql" not in sys.modules:
    pin.use()
from graphql import (  # noqa: E402
    GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLList, GraphQLNonNull,
    GraphQLObjectType, GraphQLScalarType, GraphQLUnionType, Undefined, get_named_type, is_leaf_type,
    parse, print_ast, validate, TypeInfo, TypeInfoVisitor, Visitor, visit, get_introspection_query,
)
from graphql.language import ast as A  # noqa: E402

import server  # noqa: E402  (the schema with its scalars' coercion; importing starts nothing)

SCHEMA = server.build(subgraph=False)
IDS = list(server.ALL) + ["x9"]
STRINGS = ["a", "Rex", "", "Hi", "caf\u00e9", "quo\"te", "two\nlines", "Ada", "e"]
JSON_KEYS = ["a", "b", "zed", "k1", "nested", "list", "_x"]
DATES = ["2024-01-02T03:04:05Z", "1999-12-31T23:59:59.5+01:00", "2020-02-29T00:00:00Z"]
TYPE_NAMES = [n for n in SCHEMA.type_map if not n.startswith("__")] + ["__Type", "__Schema", "__Field",
                                                                       "__TypeKind", "Nope"]
FIELD_WEIGHT = {("Query", "boomNonNull"): 0.08, ("Dog", "boom"): 0.2, ("Person", "boom"): 0.25,
                ("Query", "lists"): 1.5, ("Query", "echo"): 1.5, ("Query", "echoPick"): 1.2}


class Raw(str):
    """A literal printed verbatim (for deliberately wrong values)."""


def unwrap_nn(t):
    return t.of_type if isinstance(t, GraphQLNonNull) else t


def literal(t, v):
    """GraphQL literal of the JSON-like value v for input type t."""
    if isinstance(v, Raw):
        return str(v)
    if v is None:
        return "null"
    t = unwrap_nn(t)
    if isinstance(t, GraphQLList):
        if isinstance(v, list):
            return "[" + ", ".join(literal(t.of_type, x) for x in v) + "]"
        return literal(t.of_type, v)
    if isinstance(t, GraphQLInputObjectType):
        return "{" + ", ".join(f"{k}: {literal(t.fields[k].type if k in t.fields else None, x)}"
                               for k, x in v.items()) + "}"
    if isinstance(t, GraphQLEnumType):
        return v if isinstance(v, str) else json.dumps(v)
    return untyped_literal(v)


def untyped_literal(v):
    if isinstance(v, Raw):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(untyped_literal(x) for x in v) + "]"
    return "{" + ", ".join(f"{k}: {untyped_literal(x)}" for k, x in v.items()) + "}"


def possible(t):
    if isinstance(t, GraphQLObjectType):
        return {t.name}
    return {o.name for o in SCHEMA.get_possible_types(t)}


def composite_types():
    return [t for n, t in SCHEMA.type_map.items() if not n.startswith("__")
            and isinstance(t, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType))
            and n not in ("Mutation",)]


class Op:
    def __init__(self):
        self.var_defs = []      # text
        self.var_types = {}     # name -> GraphQL type
        self.variables = {}
        self.fragments = {}     # name -> (type condition, text)
        self.n = 0

    def fresh(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    # ------------------------------------------------------------------ values

    def json_value(self, depth=0):
        r = self.rng.random()
        if depth < 2 and r < 0.25:
            return {k: self.json_value(depth + 1) for k in self.rng.sample(JSON_KEYS, self.rng.randint(0, 3))}
        if depth < 2 and r < 0.4:
            return [self.json_value(depth + 1) for _ in range(self.rng.randint(0, 3))]
        return self.rng.choice(["s", "", 0, 7, -2.5, 1e3, True, False, None, "RED", 12345678901])

    def value(self, t, hint="", depth=0):
        """A valid value (JSON-like) of input type t."""
        rng = self.rng
        if not isinstance(t, GraphQLNonNull) and rng.random() < 0.07:
            return None
        t = unwrap_nn(t)
        if isinstance(t, GraphQLList):
            if rng.random() < 0.15:  # a single value is coerced to a list of one
                return self.value(t.of_type, hint, depth + 1)
            return [self.value(t.of_type, hint, depth + 1) for _ in range(rng.randint(0, 3))]
        if isinstance(t, GraphQLInputObjectType):
            if t.is_one_of:
                k = rng.choice(list(t.fields))
                return {k: self.value(GraphQLNonNull(t.fields[k].type), k, depth + 1)}
            out = {}
            keys = list(t.fields)
            if rng.random() < 0.3:
                rng.shuffle(keys)  # literal field order is not the definition order
            for k in keys:
                f = t.fields[k]
                required = isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
                if required or (depth < 3 and rng.random() < 0.45):
                    out[k] = self.value(f.type, k, depth + 1)
            return out
        if isinstance(t, GraphQLEnumType):
            return rng.choice(list(t.values))
        name = t.name
        if name == "Int":
            if hint in ("first",):
                return rng.choice([0, 1, 2, 3, 5, -1])
            return rng.choice([0, 1, 2, 3, -7, 42, 2147483647, -2147483648])
        if name == "Float":
            return rng.choice([1.5, 0, -2.25, 3, 1e-3, 6.02e23])
        if name == "String":
            return rng.choice(STRINGS)
        if name == "Boolean":
            return rng.choice([True, False])
        if name == "ID":
            if rng.random() < 0.1:
                return rng.choice([7, 0])  # an int is a valid ID input
            return rng.choice(IDS)
        if name == "DateTime":
            return rng.choice(DATES)
        if name == "JSON":
            return self.json_value()
        raise ValueError(name)

    def use_value(self, op, t, hint):
        """An argument value: a literal, or a variable (defined, maybe with a default, maybe given)."""
        if self.rng.random() < 0.6:
            return self.literal_for(op, t, hint)
        return self.variable_for(op, t, hint)

    def literal_for(self, op, t, hint, depth=0):
        """A literal of type t; inside lists and input objects, some parts are variables."""
        rng = self.rng
        if depth > 0 and rng.random() < 0.12:
            return self.variable_for(op, t, hint)
        inner = unwrap_nn(t)
        if isinstance(inner, GraphQLList) and rng.random() < 0.85:
            if rng.random() < 0.15:
                return self.literal_for(op, inner.of_type, hint, depth + 1)  # one value for a list
            return "[" + ", ".join(self.literal_for(op, inner.of_type, hint, depth + 1)
                                   for _ in range(rng.randint(0, 3))) + "]"
        if isinstance(inner, GraphQLInputObjectType) and rng.random() < 0.85:
            if not isinstance(t, GraphQLNonNull) and rng.random() < 0.05:
                return "null"
            keys = list(inner.fields)
            if inner.is_one_of:
                k = rng.choice(keys)
                return f"{{{k}: {self.literal_for(op, GraphQLNonNull(inner.fields[k].type), k, depth + 1)}}}"
            if rng.random() < 0.3:
                rng.shuffle(keys)
            parts = []
            for k in keys:
                f = inner.fields[k]
                required = isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
                if required or (depth < 3 and rng.random() < 0.45):
                    parts.append(f"{k}: {self.literal_for(op, f.type, k, depth + 1)}")
            return "{" + ", ".join(parts) + "}"
        return literal(t, self.value(t, hint))

    def variable_for(self, op, t, hint):
        rng = self.rng
        if rng.random() < 0.15 and op.var_types:  # reuse a variable of the same type
            same = [n for n, vt in op.var_types.items() if str(vt) == str(t)]
            if same:
                return "$" + rng.choice(same)
        name = op.fresh("v")
        vt = t
        if not isinstance(t, GraphQLNonNull) and rng.random() < 0.2:
            vt = GraphQLNonNull(t)
        text = f"${name}: {vt}"
        has_default = False
        if rng.random() < 0.3:
            d = self.value(GraphQLNonNull(unwrap_nn(vt)), hint)
            text += " = " + literal(vt, d)
            has_default = True
        op.var_defs.append(text)
        op.var_types[name] = vt
        must = isinstance(vt, GraphQLNonNull) and not has_default
        if must or rng.random() < 0.7:
            op.variables[name] = self.value(vt, hint)
        return "$" + name

    def boolean_condition(self, op):
        rng = self.rng
        if rng.random() < 0.5:
            return rng.choice(["true", "false"])
        name = op.fresh("b")
        kind = rng.choice(["Boolean!", "Boolean = true", "Boolean = false", "Boolean! = false"])
        op.var_defs.append(f"${name}: {kind}")
        op.var_types[name] = SCHEMA.get_type("Boolean")
        if kind == "Boolean!" or rng.random() < 0.5:
            op.variables[name] = rng.choice([True, False])
        return "$" + name

    def directives(self, op, p=0.12):
        if self.rng.random() >= p:
            return ""
        out = []
        for _ in range(1 if self.rng.random() < 0.85 else 2):
            out.append(f"@{self.rng.choice(['skip', 'include'])}(if: {self.boolean_condition(op)})")
        if len(out) == 2 and out[0].split("(")[0] == out[1].split("(")[0]:
            out.pop()  # not repeatable
        return " " + " ".join(out)

    # ------------------------------------------------------------------ selections

    def arguments(self, op, field):
        parts = []
        for name, a in field.args.items():
            required = isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
            if required or self.rng.random() < 0.4:
                parts.append(f"{name}: {self.use_value(op, a.type, name)}")
        return "(" + ", ".join(parts) + ")" if parts else ""

    def field(self, op, parent, name, depth, max_depth):
        rng = self.rng
        f = parent.fields[name]
        alias = f"{op.fresh('a')}_{name}: " if rng.random() < 0.2 else ""
        text = alias + name + self.arguments(op, f) + self.directives(op)
        named = get_named_type(f.type)
        if not is_leaf_type(named):
            text += " " + self.selection_set(op, named, depth + 1, max_depth)
        return text

    def selection_set(self, op, t, depth, max_depth):
        rng = self.rng
        out = []
        fields = list(t.fields) if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType)) else []
        if depth >= max_depth:
            leaves = [n for n in fields if is_leaf_type(get_named_type(t.fields[n].type))
                      and not (t.name, n) in FIELD_WEIGHT]
            pick = rng.choice(leaves + ["__typename"]) if leaves else "__typename"
            return "{ " + (pick if pick == "__typename" else self.field(op, t, pick, depth, max_depth)) + " }"
        count = rng.randint(1, 4 if depth < 2 else 3)
        for _ in range(count):
            r = rng.random()
            if fields and r < 0.62:
                weights = [FIELD_WEIGHT.get((t.name, n), 1.0) for n in fields]
                name = rng.choices(fields, weights)[0]
                out.append(self.field(op, t, name, depth, max_depth))
            elif r < 0.7:
                if t.name == "Query" and rng.random() < 0.4:
                    out.append(rng.choice([f'__type(name: "{rng.choice(TYPE_NAMES)}") {{ name kind }}',
                                           "__schema { queryType { name } }"]) + self.directives(op, 0.2))
                else:
                    out.append(("tn: " if rng.random() < 0.1 else "") + "__typename")
            elif r < 0.85:
                cond = rng.choice(self.spreadable(t))
                head = "..." if (cond is t and rng.random() < 0.3) else f"... on {cond.name}"
                out.append(head + self.directives(op, 0.2) + " " + self.selection_set(op, cond, depth, max_depth))
            else:
                out.append("..." + self.fragment(op, t, depth, max_depth) + self.directives(op, 0.2))
        if rng.random() < 0.08 and out:  # the same selection twice (merged)
            out.append(rng.choice(out))
        if rng.random() < 0.06 and fields:  # one leaf under two different conditions
            leaves = [n for n in fields if is_leaf_type(get_named_type(t.fields[n].type)) and not t.fields[n].args
                      and (t.name, n) not in FIELD_WEIGHT]
            if leaves:
                leaf = rng.choice(leaves)
                out.append(f"{leaf}{self.directives(op, 1)}")
                out.append(f"... {self.directives(op, 1).strip()} {{ {leaf} }}")
        return "{ " + " ".join(out) + " }"

    def spreadable(self, t):
        mine = possible(t)
        return [c for c in composite_types() if possible(c) & mine]

    def fragment(self, op, t, depth, max_depth):
        rng = self.rng
        usable = [n for n, (cond, _) in op.fragments.items() if possible(cond) & possible(t)]
        if usable and rng.random() < 0.35:
            return rng.choice(usable)
        cond = rng.choice(self.spreadable(t))
        name = op.fresh("F")
        op.fragments[name] = (cond, None)  # reserved: its own body cannot spread it
        body = self.selection_set(op, cond, depth, max_depth)
        op.fragments[name] = (cond, f"fragment {name} on {cond.name} {body}")
        return name

    # ------------------------------------------------------------------ operations

    def document(self, op, kind, selection, name=None):
        head = kind
        if name:
            head += " " + name
        if op.var_defs:
            head += "(" + ", ".join(op.var_defs) + ")"
        parts = [selection if (head == "query" and self.rng.random() < 0.5) else f"{head} {selection}"]
        parts += [text for _, text in op.fragments.values() if text]
        return "\n".join(parts)

    def valid(self):
        op = Op()
        rng = self.rng
        mutation = rng.random() < 0.08
        root = SCHEMA.mutation_type if mutation else SCHEMA.query_type
        max_depth = rng.randint(2, 5)
        sel = []
        names = list(root.fields)
        for _ in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.06:
                sel.append("__typename")
            elif r < 0.1 and not mutation:
                sel.append(f'__type(name: "{rng.choice(TYPE_NAMES)}") {{ name kind }}')
            elif r < 0.16 and not mutation:
                sel.append("..." + self.fragment(op, root, 1, max_depth))
            else:
                weights = [FIELD_WEIGHT.get((root.name, n), 1.0) for n in names]
                sel.append(self.field(op, root, rng.choices(names, weights)[0], 1, max_depth))
        name = f"Op{rng.randint(1, 999)}" if rng.random() < 0.5 else None
        query = self.document(op, "mutation" if mutation else "query", "{ " + " ".join(sel) + " }", name)
        return finish(query, op.variables, name if rng.random() < 0.5 else None)

    def introspection(self):
        rng = self.rng
        op = Op()
        r = rng.random()
        if r < 0.04:
            return finish(full_introspection_query(), {}, "IntrospectionQuery")
        if r < 0.25:
            parts = [f() for f in rng.sample([
                lambda: "queryType { name }", lambda: "mutationType { name }", lambda: "subscriptionType { name }",
                lambda: "types { name kind }", lambda: "description",
                lambda: "directives { name isRepeatable locations args" + self.include_deprecated(op)
                + " { name defaultValue isDeprecated type { name kind ofType { name kind } } } }",
            ], rng.randint(1, 3))]
            return finish(self.document(op, "query", "{ __schema { " + " ".join(parts) + " } }"), op.variables)
        if r < 0.35:  # introspection lists nested (3 deep is refused by MaxIntrospectionDepthRule)
            chain = [rng.choice(["fields", "interfaces", "possibleTypes", "inputFields"]) for _ in range(rng.randint(2, 4))]
            inner = "name"
            for i, f in enumerate(reversed(chain)):
                inner = (f + (" { type { " + inner + " } }" if f in ("fields", "inputFields") else " { " + inner + " }")
                         if i < len(chain) - 1 else f + (" { type { " + inner + " } }" if f in ("fields", "inputFields") else " { " + inner + " }"))
            if rng.random() < 0.3:
                op.fragments["Deep"] = (None, "fragment Deep on __Type { " + inner + " }")
                inner = "...Deep"
            head = rng.choice(['__type(name: "Dog")', '__type(name: "Animal")', "__schema { types"])
            if "types" in head:
                inner = "name " + inner  # types are matched by name (their order is compared on its own)
            return finish(self.document(op, "query", "{ " + head + " { " + inner + " } }" + (" }" if "types" in head else "")),
                          op.variables)
        tname = json.dumps(rng.choice(TYPE_NAMES))
        if rng.random() < 0.2:  # the name in a variable
            vname = op.fresh("t")
            op.var_defs.append(f"${vname}: String!")
            op.variables[vname] = json.loads(tname)
            tname = "$" + vname
        sel = [f"__type(name: {tname}) " + self.type_selection(op, 0)]
        if rng.random() < 0.15:
            sel.append("hello")
        if rng.random() < 0.1:
            sel.append("__typename")
        return finish(self.document(op, "query", "{ " + " ".join(sel) + " }"), op.variables)

    def include_deprecated(self, op):
        r = self.rng.random()
        if r < 0.35:
            return ""
        if r < 0.8:
            return "(includeDeprecated: " + self.rng.choice(["true", "false"]) + ")"
        return "(includeDeprecated: " + self.boolean_condition(op) + ")"

    def type_ref(self, depth):
        if depth >= 3:
            return "{ kind name }"
        return "{ kind name ofType " + self.type_ref(depth + 1) + " }"

    def type_selection(self, op, depth):
        rng = self.rng
        inputs = "{ name description defaultValue isDeprecated deprecationReason type " + self.type_ref(0) + " }"
        options = [  # built lazily: only what is picked may define variables
            lambda: "kind", lambda: "name", lambda: "description", lambda: "specifiedByURL", lambda: "isOneOf",
            lambda: "fields" + self.include_deprecated(op) + " { name description isDeprecated deprecationReason args"
            + self.include_deprecated(op) + " " + inputs + " type " + self.type_ref(0) + " }",
            lambda: "inputFields" + self.include_deprecated(op) + " " + inputs,
            lambda: "enumValues" + self.include_deprecated(op) + " { name description isDeprecated deprecationReason }",
            lambda: "interfaces { name kind }", lambda: "possibleTypes { name kind }", lambda: "ofType { name }",
            lambda: "__typename",
        ]
        return "{ " + " ".join(f() for f in rng.sample(options, rng.randint(1, 6))) + " }"


def full_introspection_query():
    """Every option on (graphql-core 3.2 calls isOneOf `input_object_one_of`, 3.3 `one_of`)."""
    import inspect
    wanted = {"descriptions", "specified_by_url", "directive_is_repeatable", "schema_description",
              "input_value_deprecation", "input_object_one_of", "one_of"}
    accepted = set(inspect.signature(get_introspection_query).parameters)
    return get_introspection_query(**{k: True for k in wanted & accepted})


def finish(query, variables, operation_name=None):
    body = {"query": query}
    if variables:
        body["variables"] = variables
    if operation_name:
        body["operationName"] = operation_name
    return body


def is_valid(body):
    try:
        doc = parse(body["query"])
    except Exception:
        return False
    return not validate(SCHEMA, doc)


# ---------------------------------------------------------------------- mutations (invalid ops)

class Sites(Visitor):
    """Where a mutation may apply: fields, arguments, selection sets, variable definitions."""

    def __init__(self, type_info):
        super().__init__()
        self.ti = type_info
        self.fields, self.args, self.sets = [], [], []

    def enter_field(self, node, *_):
        if self.ti.get_field_def():
            self.fields.append((node, self.ti.get_field_def(), self.ti.get_parent_type()))

    def enter_argument(self, node, *_):
        if self.ti.get_argument():
            self.args.append((node, self.ti.get_argument()))

    def enter_selection_set(self, node, *_):
        self.sets.append((node, self.ti.get_parent_type()))


def sites(doc):
    ti = TypeInfo(SCHEMA)
    s = Sites(ti)
    visit(doc, TypeInfoVisitor(ti, s))
    return s


def name(v):
    return A.NameNode(value=v)


def wrong_json(t, rng):
    """A variable value (JSON) of the wrong type for t."""
    nn = isinstance(t, GraphQLNonNull)
    t = unwrap_nn(t)
    if isinstance(t, GraphQLList):
        return rng.choice([[wrong_json(t.of_type, rng)], {"a": 1}]) if not nn or rng.random() < 0.5 else None
    if isinstance(t, GraphQLInputObjectType):
        if t.is_one_of:
            k = list(t.fields)
            return rng.choice([{}, {k[0]: "1", k[1]: "x"}, {k[1]: None}, {"nope": 1}, "x"])
        required = [k for k, f in t.fields.items() if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined]
        opts = ["x", 3, {"nope": 1}, [1]]
        if required:
            opts.append({})
        return rng.choice(opts)
    if isinstance(t, GraphQLEnumType):
        return rng.choice(["PURPLE", 1, "red", True])
    return {"Int": lambda: rng.choice(["1", 1.5, True, 2147483648, -2147483649, None if nn else "x"]),
            "Float": lambda: rng.choice(["1.5", True, [None]]),
            "String": lambda: rng.choice([1, True, {"a": 1}, 2.5]),
            "Boolean": lambda: rng.choice(["true", 1, 0]),
            "ID": lambda: rng.choice([True, 1.5, {"id": 1}]),
            "DateTime": lambda: rng.choice([5, "yesterday", True]),
            "JSON": lambda: None if nn else {"any": "thing"}}[t.name]()


def wrong_literal(t, rng):
    nn = isinstance(t, GraphQLNonNull)
    t = unwrap_nn(t)
    if isinstance(t, GraphQLList):
        return "[" + wrong_literal(t.of_type, rng) + "]"
    if isinstance(t, GraphQLInputObjectType):
        if t.is_one_of:
            k = list(t.fields)
            return rng.choice(["{}", f'{{{k[0]}: "1", {k[1]}: "x"}}', f"{{{k[1]}: null}}", "{nope: 1}", "3"])
        required = [k for k, f in t.fields.items() if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined]
        return rng.choice(["3", '"x"', "{nope: 1}", "{}" if required else "[1]"])
    if isinstance(t, GraphQLEnumType):
        return rng.choice(['"RED"', "PURPLE", "1", "red"])
    return {"Int": lambda: rng.choice(['"1"', "1.5", "1.0", "true", "2147483648", "RED"]),
            "Float": lambda: rng.choice(['"1.5"', "true", "GREEN"]),
            "String": lambda: rng.choice(["1", "true", "RED", "[\"a\", 1]", '{a: "b"}']),
            "Boolean": lambda: rng.choice(['"true"', "1", "TRUE"]),
            "ID": lambda: rng.choice(["true", "1.5", "RED"]),
            "DateTime": lambda: rng.choice(["5", '"yesterday"', "true"]),
            "JSON": lambda: "null" if nn else "$undefinedJson"}[t.name]()


def parse_value_text(text):
    return parse("{ f(a: " + text + ") }").definitions[0].selection_set.selections[0].arguments[0].value


KINDS = ["unknown_field", "unknown_argument", "duplicate_argument", "wrong_arg_literal", "null_for_nonnull_arg",
         "missing_required_arg", "leaf_with_selection", "composite_without_selection", "unknown_fragment",
         "unused_fragment", "fragment_cycle", "impossible_spread", "unknown_type_condition", "unknown_directive",
         "directive_missing_if", "duplicate_directive", "directive_wrong_location", "undefined_variable",
         "unused_variable", "var_type_mismatch", "var_default_wrong_type", "var_output_type",
         "bad_var_value", "bad_var_value", "bad_var_value", "wrong_arg_literal", "wrong_arg_literal",
         "null_var_nonnull", "missing_required_var", "extra_variable", "syntax_error", "multiple_ops",
         "anonymous_plus_named", "duplicate_op_names", "unknown_operation_name", "subscription_op",
         "conflicting_alias", "oneof_literal", "oneof_variable", "oneof_nullable_variable", "variables_not_object",
         "int_literal_overflow", "list_var_single_value"]


def mutate(body, rng, kind):
    """(tag, new body) with the mutation `kind` applied, or None when it does not apply."""
    doc = parse(body["query"])
    s = sites(doc)
    variables = copy.deepcopy(body.get("variables") or {})
    ops = [d for d in doc.definitions if isinstance(d, A.OperationDefinitionNode)]
    op = ops[0]
    var_defs = {v.variable.name.value: v for v in (op.variable_definitions or ())}
    leaf_fields = [(n, fd, p) for n, fd, p in s.fields if is_leaf_type(get_named_type(fd.type))]
    comp_fields = [(n, fd, p) for n, fd, p in s.fields if not is_leaf_type(get_named_type(fd.type))]
    literal_args = [(n, a) for n, a in s.args if not isinstance(n.value, A.VariableNode)]
    op_name = body.get("operationName")

    def with_selection(node, sel):
        node.selection_set = A.SelectionSetNode(selections=tuple(node.selection_set.selections) + (sel,))

    if kind == "unknown_field":
        node, _ = rng.choice(s.sets)
        node.selections = tuple(node.selections) + (A.FieldNode(name=name(rng.choice(["nope", "nmae", "Id"])),
                                                                arguments=(), directives=()),)
    elif kind == "unknown_argument" and s.fields:
        node, _, _ = rng.choice(s.fields)
        node.arguments = tuple(node.arguments or ()) + (A.ArgumentNode(name=name("bogus"), value=A.IntValueNode(value="1")),)
    elif kind == "duplicate_argument" and s.args:
        n, _ = rng.choice(s.args)
        for f, _, _ in s.fields:
            if n in (f.arguments or ()):
                f.arguments = tuple(f.arguments) + (n,)
    elif kind == "wrong_arg_literal" and literal_args:
        typed = [(n, a) for n, a in literal_args if str(a.type) != "Boolean!"]  # not only @skip/@include
        n, a = rng.choice(typed if typed and rng.random() < 0.85 else literal_args)
        n.value = parse_value_text(wrong_literal(a.type, rng))
        kind += ":" + str(get_named_type(a.type))
    elif kind == "null_for_nonnull_arg":
        cands = [(n, a) for n, a in s.args if isinstance(a.type, GraphQLNonNull)]
        if not cands:
            return None
        n, _ = rng.choice(cands)
        n.value = A.NullValueNode()
    elif kind == "missing_required_arg":
        cands = [(f, n) for f, fd, _ in s.fields for n in (f.arguments or ())
                 if isinstance(fd.args[n.name.value].type, GraphQLNonNull) and fd.args[n.name.value].default_value is Undefined]
        if not cands:
            return None
        f, n = rng.choice(cands)
        f.arguments = tuple(x for x in f.arguments if x is not n)
    elif kind == "leaf_with_selection" and leaf_fields:
        f, _, _ = rng.choice(leaf_fields)
        f.selection_set = A.SelectionSetNode(selections=(A.FieldNode(name=name("x"), arguments=(), directives=()),))
    elif kind == "composite_without_selection" and comp_fields:
        f, _, _ = rng.choice(comp_fields)
        f.selection_set = None
    elif kind == "unknown_fragment":
        node, _ = rng.choice(s.sets)
        node.selections = tuple(node.selections) + (A.FragmentSpreadNode(name=name("Nope"), directives=()),)
    elif kind in ("unused_fragment", "fragment_cycle"):
        extra = "fragment Unused on Query { hello }" if kind == "unused_fragment" else \
            "fragment Cyc1 on Query { hello ...Cyc2 } fragment Cyc2 on Query { now ...Cyc1 }"
        if kind == "fragment_cycle":
            op.selection_set.selections = tuple(op.selection_set.selections) + (
                A.FragmentSpreadNode(name=name("Cyc1"), directives=()),)
            if op.operation != A.OperationType.QUERY:
                return None
        doc.definitions = tuple(doc.definitions) + tuple(parse(extra).definitions)
    elif kind == "impossible_spread":
        cands = [(n, p) for n, p in s.sets if p is not None and p.name not in ("Query", "Mutation")]
        if not cands:
            return None
        node, p = rng.choice(cands)
        other = [c for c in composite_types() if not (possible(c) & possible(p))]
        c = rng.choice(other)
        frag = parse(f"{{ ... on {c.name} {{ __typename }} }}").definitions[0].selection_set.selections[0]
        node.selections = tuple(node.selections) + (frag,)
    elif kind == "unknown_type_condition":
        node, _ = rng.choice(s.sets)
        frag = parse("{ ... on Nope { __typename } }").definitions[0].selection_set.selections[0]
        node.selections = tuple(node.selections) + (frag,)
    elif kind in ("unknown_directive", "directive_missing_if", "duplicate_directive") and s.fields:
        f, _, _ = rng.choice(s.fields)
        text = {"unknown_directive": "@nope", "directive_missing_if": "@skip",
                "duplicate_directive": "@include(if: true) @include(if: true)"}[kind]
        f.directives = tuple(f.directives or ()) + tuple(parse("{ f " + text + " }").definitions[0].selection_set.selections[0].directives)
    elif kind == "directive_wrong_location":
        d = parse("{ f @include(if: true) @deprecated }").definitions[0].selection_set.selections[0].directives
        if rng.random() < 0.5:
            op.directives = tuple(op.directives or ()) + (d[0],)
        elif s.fields:
            f, _, _ = rng.choice(s.fields)
            f.directives = tuple(f.directives or ()) + (d[1],)
        else:
            return None
    elif kind == "undefined_variable" and literal_args:
        n, _ = rng.choice(literal_args)
        n.value = A.VariableNode(name=name("undefinedVar"))
    elif kind == "unused_variable":
        op.variable_definitions = tuple(op.variable_definitions or ()) + (
            parse("query($unusedVar: Int) { a }").definitions[0].variable_definitions[0],)
    elif kind == "var_type_mismatch" and var_defs:
        v = rng.choice(list(var_defs.values()))
        named = v.type
        while not isinstance(named, A.NamedTypeNode):
            named = named.type
        named.name = name("String" if named.name.value != "String" else "Int")
    elif kind == "var_default_wrong_type" and var_defs:
        v = rng.choice(list(var_defs.values()))
        t = type_of(v.type)
        v.default_value = parse_value_text(wrong_literal(t, rng) if "undefined" not in wrong_literal(t, rng) else "{}")
    elif kind == "var_output_type" and var_defs:
        v = rng.choice(list(var_defs.values()))
        v.type = A.NamedTypeNode(name=name(rng.choice(["Person", "SearchResult", "Node"])))
    elif kind == "bad_var_value" and var_defs:
        typed = [k for k, v in var_defs.items() if "Boolean" not in print_ast(v.type)]
        k = rng.choice(typed if typed and rng.random() < 0.85 else list(var_defs))
        t = type_of(var_defs[k].type)
        variables[k] = wrong_json(t, rng)
        kind += ":" + str(get_named_type(t))
    elif kind == "null_var_nonnull":
        cands = [k for k, v in var_defs.items() if isinstance(v.type, A.NonNullTypeNode)]
        if not cands:
            return None
        variables[rng.choice(cands)] = None
    elif kind == "missing_required_var":
        cands = [k for k, v in var_defs.items() if isinstance(v.type, A.NonNullTypeNode) and v.default_value is None]
        if not cands:
            return None
        variables.pop(rng.choice(cands), None)
    elif kind == "extra_variable":
        variables["notDeclared"] = rng.choice([1, None, {"a": [1]}])
    elif kind == "syntax_error":
        q = body["query"]
        i = rng.randrange(1, len(q))
        q = rng.choice([q[:i], q[:i] + rng.choice(["}", "{", "$", "!", "\u00e9", '"', "...", "@"]) + q[i:]])
        return "invalid:syntax_error", {**body, "query": q, **({"variables": variables} if variables else {})}
    elif kind in ("multiple_ops", "anonymous_plus_named", "duplicate_op_names", "unknown_operation_name"):
        if kind == "multiple_ops":
            extra = "query Other { now }"
            op_name = rng.choice([None, "Other", op.name.value if op.name else None])
            if op.name is None:
                op.name = name("Main")
        elif kind == "anonymous_plus_named":
            extra = "{ now }" if op.name else "query Named { now }"
        elif kind == "duplicate_op_names":
            if op.name is None:
                op.name = name("Main")
            extra = f"query {op.name.value} {{ now }}"
            op_name = op.name.value
        else:
            extra = ""
            op_name = "NoSuchOperation"
        doc.definitions = tuple(doc.definitions) + tuple(parse(extra).definitions if extra else ())
    elif kind == "subscription_op":
        op.operation = A.OperationType.SUBSCRIPTION
    elif kind == "conflicting_alias":
        extra = parse("{ same: hello same: now }").definitions[0].selection_set.selections
        op.selection_set.selections = tuple(op.selection_set.selections) + tuple(extra)
        if op.operation != A.OperationType.QUERY:
            return None
    elif kind in ("oneof_literal", "oneof_variable", "oneof_nullable_variable"):
        if op.operation != A.OperationType.QUERY:
            return None
        if kind == "oneof_literal":
            extra = "{ oneOfCase: echoPick(pick: " + wrong_literal(SCHEMA.get_type("Pick"), rng) + ") }"
        elif kind == "oneof_variable":
            extra = "query($pickVar: Pick!) { oneOfCase: echoPick(pick: $pickVar) }"
            variables["pickVar"] = wrong_json(SCHEMA.get_type("Pick"), rng)
        else:
            extra = "query($pickId: ID) { oneOfCase: echoPick(pick: {id: $pickId}) }"
            variables["pickId"] = rng.choice(["p1", None])
        e = parse(extra).definitions[0]
        op.selection_set.selections = tuple(op.selection_set.selections) + tuple(e.selection_set.selections)
        op.variable_definitions = tuple(op.variable_definitions or ()) + tuple(e.variable_definitions or ())
    elif kind == "variables_not_object":
        return "invalid:variables_not_object", {**body, "variables": rng.choice(["x", [1], 3])}
    elif kind == "int_literal_overflow":
        ints = [(n, a) for n, a in literal_args if str(unwrap_nn(a.type)) in ("Int", "Float")]
        if not ints:
            return None
        n, _ = rng.choice(ints)
        n.value = A.IntValueNode(value=rng.choice(["2147483648", "-2147483649", "99999999999999999999"]))
    elif kind == "list_var_single_value":  # valid: a single value where a list is expected
        lists = [k for k, v in var_defs.items() if isinstance(type_of(v.type), GraphQLList)
                 or isinstance(unwrap_nn(type_of(v.type)), GraphQLList)]
        if not lists:
            return None
        k = rng.choice(lists)
        t = unwrap_nn(unwrap_nn(type_of(var_defs[k].type)).of_type)
        variables[k] = Generator(rng.random()).value(GraphQLNonNull(t))
    else:
        return None
    out = {"query": print_ast(doc)}
    if variables:
        out["variables"] = variables
    if op_name:
        out["operationName"] = op_name
    return "invalid:" + kind, out


def type_of(node):
    if isinstance(node, A.NonNullTypeNode):
        return GraphQLNonNull(type_of(node.type))
    if isinstance(node, A.ListTypeNode):
        return GraphQLList(type_of(node.type))
    return SCHEMA.get_type(node.name.value)


# ---------------------------------------------------------------------- hand-written cases

FIXED = [
    ("json-scalar-values", "{ json jsonList jsonString jsonNumber lists { jsons } me { profile } }", None),
    ("json-scalar-robot-specs", '{ nodes(ids: ["r1", "r2"]) { ... on Robot { specs model } } }', None),
    ("nonnull-root-error", "{ me { id } boomNonNull }", None),
    ("nonnull-nested-error", "{ me { id boom } hello }", None),
    ("nullable-error", "{ boomNullable hello pets { ... on Cat { boomNullable } } }", None),
    ("nonnull-in-list", "{ animals { ... on Dog { boom } } }", None),
    ("list-errors", "{ lists { ints strict matrix sparse brokenMatrix empty } }", None),
    ("error-in-nullable-list-item", '{ nodes(ids: ["r1", "r2", "nope"]) { id ... on Robot { serial } } }', None),
    ("include-default-false", "query($i: Boolean = false) { hello @include(if: $i) now }", None),
    ("skip-default-true-given", "query($s: Boolean = true) { hello @skip(if: $s) now }", {"s": False}),
    ("same-include-twice", "query($i: Boolean!) { me { ...A ...B } } fragment A on Person { name @include(if: $i) } "
                           "fragment B on Person { name @include(if: $i) }", {"i": True}),
    ("input-defaults-empty-var", "query($f: Filter) { echo(filter: $f) }", {"f": {}}),
    ("input-defaults-nested-var", "query($f: Filter) { echo(filter: $f) }", {"f": {"window": {}, "ranges": [{}]}}),
    ("input-defaults-literal", "{ echo(filter: {window: {range: {}}}) }", None),
    ("input-default-var-default", "query($f: Filter = {text: \"t\"}) { echo(filter: $f) }", None),
    ("oneof-literal-empty", "{ echoPick(pick: {}) }", None),
    ("oneof-literal-two", '{ echoPick(pick: {id: "1", name: "x"}) }', None),
    ("oneof-literal-null", "{ echoPick(pick: {id: null}) }", None),
    ("oneof-var-empty", "query($p: Pick!) { echoPick(pick: $p) }", {"p": {}}),
    ("oneof-var-two", "query($p: Pick!) { echoPick(pick: $p) }", {"p": {"id": "1", "name": "x"}}),
    ("oneof-var-null-field", "query($p: Pick!) { echoPick(pick: $p) }", {"p": {"id": None}}),
    ("oneof-nullable-var", "query($id: ID) { echoPick(pick: {id: $id}) }", {"id": "p1"}),
    ("oneof-ok", 'query($r: Range!) { a: echoPick(pick: {range: $r}) b: echoPick(pick: {color: BLUE}) }', {"r": {}}),
    ("introspect-input-deprecated", '{ __type(name: "Filter") { inputFields(includeDeprecated: true) '
                                    '{ name isDeprecated deprecationReason defaultValue } isOneOf } }', None),
    ("introspect-arg-deprecated", '{ __type(name: "Person") { fields { name args(includeDeprecated: true) '
                                  '{ name isDeprecated deprecationReason defaultValue } } } }', None),
    ("introspect-enum-deprecated", '{ __type(name: "Color") { enumValues { name } all: enumValues(includeDeprecated: true) '
                                   '{ name description isDeprecated deprecationReason } } }', None),
    ("introspect-oneof", '{ __type(name: "Pick") { isOneOf inputFields { name } } r: __type(name: "Range") { isOneOf } }', None),
    ("introspect-specified-by", '{ __type(name: "DateTime") { specifiedByURL description } }', None),
    ("introspect-directives", "{ __schema { directives { name isRepeatable locations args { name defaultValue } } } }", None),
    ("introspect-types", "{ __schema { types { name kind } } }", None),
    ("list-input-coercion", "{ echoInts(ints: 1, matrix: 2) a: echoInts(matrix: [1, [2, null]]) }", None),
    ("list-var-coercion", "query($i: [Int], $m: [[Int]]) { echoInts(ints: $i, matrix: $m) }", {"i": 5, "m": [3]}),
    ("float-int-var", "query($i: Int, $f: Float) { echoInts(ints: [$i]) echoScalars(f: $f) }", {"i": 2.0, "f": 3}),
    ("id-int-var", "query($id: ID!) { node(id: $id) { id } echoScalars(id: $id) }", {"id": 7}),
    ("enum-deprecated-output", "{ deprecatedColor echoColor(color: INDIGO) lists { colors } }", None),
    ("deprecated-fields", '{ oldField people(oldApi: true) { nickname greeting(style: ASC) } }', None),
    ("typename-everywhere", "{ __typename search(first: 9) { __typename ... on Node { __typename id } } }", None),
    ("datetime-bad-literal", "{ echoScalars(when: 5) }", None),
    ("datetime-bad-var", "query($w: DateTime) { echoScalars(when: $w) }", {"w": "yesterday"}),
    ("mutation-errors", 'mutation { a: increment rename(id: "p1", name: "Z") { name } failingMutation b: increment(by: 2) }', None),
    ("mutation-input-defaults", 'mutation($p: PetInput!) { addPet(input: $p) { __typename ... on Dog { tricks legs } } }',
     {"p": {"name": "Rover", "tags": "solo"}}),
    ("extra-variable", "{ hello }", {"unused": 1}),
    ("nested-var-absent-uses-default", "query($c: Color) { echo(filter: {color: $c, limit: 1}) }", None),
    ("nested-var-null", "query($c: Color) { echo(filter: {color: $c}) }", {"c": None}),
    ("list-item-var-absent", "query($i: Int) { echoInts(ints: [1, $i]) }", None),
    ("arg-var-absent-uses-default", "query($n: String) { hello(name: $n) }", None),
    ("arg-var-null", "query($n: String) { hello(name: $n) }", {"n": None}),
    ("arg-var-default-null", "query($n: String = null) { hello(name: $n) }", None),
    ("oneof-nested-var", "query($r: Range!) { echoPick(pick: {range: $r}) }", {"r": {"max": 3}}),
    ("json-literal-with-var", "query($j: Int) { echoScalars(json: {a: $j, b: [$j]}) }", {"j": 5}),
    ("json-literal-enum", "{ echoScalars(json: {a: RED, b: [true, null, 1.5, \"s\"]}) }", None),
    ("same-field-two-conditions", "query($a: Boolean!, $b: Boolean!) { hello @skip(if: $a) hello @include(if: $b) }",
     {"a": True, "b": True}),
    ("fragment-twice-two-conditions", "query($a: Boolean!) { me { ...P @include(if: $a) ...P @skip(if: $a) } } "
                                      "fragment P on Person { name }", {"a": False}),
    ("aliases-different-args", '{ a: hello b: hello(name: "x") c: echoColor(color: BLUE) d: echoColor }', None),
    ("typename-aliases", "{ __typename t: __typename me { t: __typename __typename } }", None),
    ("introspection-in-fragment", 'query { ...Q me { name } } fragment Q on Query { __type(name: "Dog") { name } json }', None),
    ("skip-introspection", 'query($s: Boolean!) { __type(name: "Dog") @skip(if: $s) { name } hello }', {"s": True}),
    ("mutation-var-default", "mutation($by: Int) { increment(by: $by) }", None),
    ("multiple-ops-pick-mutation", "query A { hello } mutation B { increment(by: 3) }", {"__operationName": "B"}),
    ("int-var-overflow", "query($i: Int) { echoInts(ints: [$i]) }", {"i": 2147483648}),
    ("float-big", "query($f: Float) { echoScalars(f: $f) }", {"f": 1e300}),
    ("string-escapes", '{ hello(name: "tab\\t nl\\n uni\\u00e9 \\u0000 emoji \\ud83d\\ude00") }', None),
    ("introspection-depth-2", '{ __type(name: "Dog") { fields { type { fields { name } } } } }', None),
    ("introspection-depth-3", "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }", None),
    ("introspection-depth-3-interfaces", '{ __type(name: "Dog") { interfaces { possibleTypes { interfaces { name } } } } }', None),
    ("introspection-depth-fragments", '{ __schema { types { ...A } } } fragment A on __Type { fields { type { ...B } } } '
                                      'fragment B on __Type { fields { type { ...C } } } fragment C on __Type { inputFields { name } }', None),
    ("block-string", 'query { hello(name: """ block\n   string """) }', None),
    ("subscription", "subscription { hello }", None),
    ("get-operation-by-name", "query A { hello } query B { now }", {"__operationName": "B"}),
]


def fixed_ops():
    out = []
    for tag, query, variables in FIXED:
        body = {"query": query}
        variables = dict(variables or {})
        if "__operationName" in variables:
            body["operationName"] = variables.pop("__operationName")
        if variables:
            body["variables"] = variables
        out.append(("fixed:" + tag, body))
    return out


def valid_body(g, make=None):
    body = None
    for _ in range(20):  # fragments may conflict, say: retry
        body = (make or g.valid)()
        if is_valid(body):
            return body
    return body


def generate(count=1200, seed=1):
    g = Generator(seed)
    rng = random.Random(seed * 7919 + 1)
    ops = fixed_ops()
    while len(ops) < count:
        r = rng.random()
        if r < 0.14:
            ops.append(("introspection", valid_body(g, g.introspection)))
            continue
        if r < 0.55:
            ops.append(("valid", valid_body(g)))
            continue
        kind = rng.choice(KINDS)
        for _ in range(12):  # a valid operation the mutation applies to
            m = mutate(valid_body(g), rng, kind)
            if m:
                ops.append(m)
                break
    return [{"id": i, "tag": tag, **body} for i, (tag, body) in enumerate(ops[:count])]


def main(argv):
    count, seed = 1200, 1
    if "--count" in argv:
        count = int(argv[argv.index("--count") + 1])
    if "--seed" in argv:
        seed = int(argv[argv.index("--seed") + 1])
    for op in generate(count, seed):
        print(json.dumps(op))


if __name__ == "__main__":
    main(sys.argv[1:])
