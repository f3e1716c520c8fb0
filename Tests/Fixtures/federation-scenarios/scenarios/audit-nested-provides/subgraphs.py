"""After the federation gateway audit's `nested-provides` suite (the-guild-org/graphql-federation-gateway-audit).

category's Query.products @provides `categories { id name subCategories { id name } }`, so the
whole of both tests can be answered by category alone. With PUNISH_FOR_POOR_PLANS=1 in the
environment (as the audit's env flag), the entity resolvers the audit marks "you should be using
the categories subgraph" raise instead of answering."""
import os

PRODUCTS = [
    {"id": "p1", "categories": ["c1", "c2"]},
    {"id": "p2", "categories": ["c3", "c2"]},
]

CATEGORIES = [
    {"id": "c1", "name": "Category 1", "subCategories": ["c2"]},
    {"id": "c2", "name": "Category 2", "subCategories": ["c3"]},
    {"id": "c3", "name": "Category 3", "subCategories": ["c1"]},
]


def punish():
    return os.environ.get("PUNISH_FOR_POOR_PLANS") == "1"


def find(items, id_):
    return next((x for x in items if x["id"] == id_), None)


def poor_plan():
    if punish():
        raise Exception("You should be using the categories subgraph!")


# all-products

def all_products_product_ref(key, info):
    poor_plan()
    p = find(PRODUCTS, key["id"])
    return {"id": p["id"]} if p else None


# category

def category_products(parent, args, info):
    out = []
    for p in PRODUCTS:
        cats = []
        for cat_id in p["categories"]:
            cat = find(CATEGORIES, cat_id)
            if cat is None:
                cats.append(None)
                continue
            subs = []
            for sub_id in cat["subCategories"]:
                sub = find(CATEGORIES, sub_id)
                subs.append({"id": sub["id"], "name": sub["name"]} if sub else None)
            cats.append({"id": cat["id"], "name": cat["name"], "subCategories": subs})
        out.append({"id": p["id"], "categories": cats})
    return out


def category_product_ref(key, info):
    poor_plan()
    p = find(PRODUCTS, key["id"])
    return {"id": p["id"]} if p else None


def category_category_ref(key, info):
    poor_plan()
    c = find(CATEGORIES, key["id"])
    return {"id": c["id"]} if c else None


# subcategories

def sub_product_ref(key, info):
    poor_plan()
    p = find(PRODUCTS, key["id"])
    return {"id": p["id"], "categories": p["categories"]} if p else None


def sub_product_categories(product, args, info):
    poor_plan()
    out = []
    for cat_id in product["categories"]:
        cat = find(CATEGORIES, cat_id)
        out.append({"id": cat["id"], "subCategories": cat["subCategories"]} if cat else None)
    return out


def sub_category_ref(key, info):
    c = find(CATEGORIES, key["id"])
    return {"id": c["id"], "subCategories": c["subCategories"]} if c else None


def sub_category_subcategories(category, args, info):
    out = []
    for cat_id in category["subCategories"]:
        cat = find(CATEGORIES, cat_id)
        out.append({"id": cat["id"], "subCategories": cat["subCategories"]} if cat else None)
    return out


RESOLVERS = {
    "all-products": {
        "Product": {"__resolveReference": all_products_product_ref},
    },
    "category": {
        "Query": {"products": category_products},
        "Product": {"__resolveReference": category_product_ref},
        "Category": {"__resolveReference": category_category_ref},
    },
    "subcategories": {
        "Product": {"__resolveReference": sub_product_ref, "categories": sub_product_categories},
        "Category": {"__resolveReference": sub_category_ref, "subCategories": sub_category_subcategories},
    },
}
