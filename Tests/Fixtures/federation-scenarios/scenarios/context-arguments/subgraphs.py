"""@context / @fromContext: a product's price label takes the currency of the shopper above it in
the query (the nearest object setting the context), whether the products come from the same
subgraph or through another one; shoppers with different currencies get separate requests."""

SHOPPERS = {"S1": {"currency": "EUR", "favourites": ["P1", "P2"], "reviewed": ["P2"]},
            "S2": {"currency": "JPY", "favourites": ["P2"], "reviewed": ["P1", "P2"]}}
PRODUCTS = {"P1": {"name": "Kettle", "cents": 2500, "stars": 4}, "P2": {"name": "Teapot", "cents": 1800, "stars": 5}}
RATES = {"EUR": 1.0, "JPY": 160.0}


def shopper(id):
    s = SHOPPERS.get(id)
    return None if s is None else {"id": id, "currency": s["currency"], "favourites": [{"sku": p, "name": PRODUCTS[p]["name"]} for p in s["favourites"]]}


def price_label(product, args, info):
    currency = args.get("currency")
    if currency is None:
        raise Exception(f"priceLabel of {product['sku']} needs the shopper's currency")
    amount = PRODUCTS[product["sku"]]["cents"] / 100 * RATES[currency]
    return f"{amount:.2f} {currency}"


def product_ref(rep, info):
    if rep["sku"] not in PRODUCTS:
        return None
    return {"sku": rep["sku"], "name": PRODUCTS[rep["sku"]]["name"]}


RESOLVERS = {
    "catalog": {
        "Query": {
            "shopper": lambda parent, args, info: shopper(args["id"]),
            "shoppers": lambda parent, args, info: [shopper(i) for i in sorted(SHOPPERS)],
        },
        "Shopper": {"__resolveReference": lambda rep, info: shopper(rep["id"])},
        "Product": {"__resolveReference": product_ref, "priceLabel": price_label},
    },
    "reviews": {
        "Shopper": {"__resolveReference": lambda rep, info: {
            "id": rep["id"], "recentlyReviewed": [{"sku": p, "stars": PRODUCTS[p]["stars"]} for p in SHOPPERS[rep["id"]]["reviewed"]]}},
        "Product": {"__resolveReference": lambda rep, info: {"sku": rep["sku"], "stars": PRODUCTS[rep["sku"]]["stars"]}},
    },
}
