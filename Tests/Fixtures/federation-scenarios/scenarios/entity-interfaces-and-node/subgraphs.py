"""An entity interface `interface Node @key(fields: "id")` behind a `node(id:)`/`nodes(ids:)` root
in a small publishing graph. directory owns the root fields and declares every implementation
(Author, Article, Podcast) by key only; writing declares the entity interface too, resolves
Author and Article and knows Podcast only by its id (Article.mentions returns Podcasts among
Authors and Articles); audio resolves Podcast (and knows its host Author only by id) without
declaring Node at all; stats adds `views` to every Node as an @interfaceObject and has its own
root returning Nodes. Checks __typename and fragments on implementations resolved by other
subgraphs, one _entities request per subgraph for a list mixing types, that an implementation a
subgraph knows only partially is completed elsewhere, that representations to stats are typed
`Node`, and that a node directory knows but writing cannot find nulls only that list item."""

# ids carry their type: au- Author, ar- Article, pc- Podcast
TYPES = {"au": "Author", "ar": "Article", "pc": "Podcast"}
DIRECTORY = ["au-1", "au-2", "ar-1", "ar-2", "ar-9", "pc-1", "pc-2"]

AUTHORS = {
    "au-1": {"name": "Maren Holt", "articles": ["ar-1", "ar-2"]},
    "au-2": {"name": "Idris Sato", "articles": []},
}
ARTICLES = {  # ar-9 was retracted: directory still lists it, writing no longer has it
    "ar-1": {"title": "Tidal Power, Explained", "author": "au-1", "mentions": ["pc-1", "au-2", "ar-2"]},
    "ar-2": {"title": "Ten Years of Offshore Wind", "author": "au-1", "mentions": []},
}
PODCASTS = {
    "pc-1": {"title": "Grid Talk", "minutes": 42, "host": "au-2"},
    "pc-2": {"title": "Salt & Current", "minutes": 31, "host": "au-1"},
}
HOSTED = {"au-1": ["pc-2"], "au-2": ["pc-1"]}
VIEWS = {"au-1": 120, "au-2": 45, "ar-1": 980, "ar-2": 310, "ar-9": 5, "pc-1": 660, "pc-2": 75}


def type_of(id_):
    return TYPES.get(id_.split("-")[0])


def stub(id_):
    return {"__typename": type_of(id_), "id": id_}


def need_id(rep, where):
    if "id" not in rep:
        raise Exception(f"{where}: representation without id: {rep}")
    return rep["id"]


# --- directory -------------------------------------------------------------------------------------

def directory_node(id_):
    return stub(id_) if id_ in DIRECTORY else None


def directory_ref(type_name):
    def resolve(rep, info):
        id_ = need_id(rep, "directory")
        if type_name != "Node" and type_of(id_) != type_name:
            raise Exception(f"directory: {id_} is not a {type_name}")
        return directory_node(id_)
    return resolve


# --- writing ---------------------------------------------------------------------------------------

def writing_ref(type_name):
    def resolve(rep, info):
        id_ = need_id(rep, "writing")
        t = type_of(id_)
        if type_name not in ("Node", t):
            raise Exception(f"writing: {id_} is not a {type_name}")
        if t == "Author":
            return stub(id_) if id_ in AUTHORS else None
        if t == "Article":
            return stub(id_) if id_ in ARTICLES else None
        return stub(id_)  # a Podcast: writing knows nothing of it but its id
    return resolve


def author_field(field):
    def resolve(parent, args, info):
        a = AUTHORS[need_id(parent, "writing")]
        if field == "articles":
            return [stub(i) for i in a["articles"]]
        return a[field]
    return resolve


def article_field(field):
    def resolve(parent, args, info):
        a = ARTICLES[need_id(parent, "writing")]
        if field == "author":
            return stub(a["author"])
        if field == "mentions":
            return [stub(i) for i in a["mentions"]]
        return a[field]
    return resolve


# --- audio -----------------------------------------------------------------------------------------

def podcast_ref(rep, info):
    id_ = need_id(rep, "audio")
    p = PODCASTS.get(id_)
    return None if p is None else {"id": id_, "title": p["title"], "minutes": p["minutes"], "host": {"id": p["host"]}}


def audio_author_ref(rep, info):
    return {"id": need_id(rep, "audio")}


def hosted(author, args, info):
    return [podcast_ref({"id": p}, info) for p in HOSTED.get(need_id(author, "audio"), [])]


# --- stats -----------------------------------------------------------------------------------------

def stats_ref(rep, info):
    if rep.get("__typename") != "Node":
        raise Exception(f"stats: representations must be typed Node (an @interfaceObject here): {rep}")
    id_ = need_id(rep, "stats")
    return {"id": id_, "views": VIEWS[id_]} if id_ in VIEWS else None


def trending(parent, args, info):
    ranked = sorted(VIEWS, key=lambda k: -VIEWS[k])[:3]
    return [{"id": k, "views": VIEWS[k]} for k in ranked]


RESOLVERS = {
    "directory": {
        "Query": {
            "node": lambda parent, args, info: directory_node(args["id"]),
            "nodes": lambda parent, args, info: [directory_node(i) for i in args["ids"]],
        },
        "Node": {"__resolveReference": directory_ref("Node")},
        "Author": {"__resolveReference": directory_ref("Author")},
        "Article": {"__resolveReference": directory_ref("Article")},
        "Podcast": {"__resolveReference": directory_ref("Podcast")},
    },
    "writing": {
        "Node": {"__resolveReference": writing_ref("Node")},
        "Author": {"__resolveReference": writing_ref("Author"),
                   "name": author_field("name"), "articles": author_field("articles")},
        "Article": {"__resolveReference": writing_ref("Article"), "title": article_field("title"),
                    "author": article_field("author"), "mentions": article_field("mentions")},
        "Podcast": {"__resolveReference": writing_ref("Podcast")},
    },
    "audio": {
        "Podcast": {"__resolveReference": podcast_ref},
        "Author": {"__resolveReference": audio_author_ref, "podcasts": hosted},
    },
    "stats": {
        "Query": {"trending": trending},
        "Node": {"__resolveReference": stats_ref},
    },
}
