"""The graphql-core the conformance harness runs on, pinned: the reference's answers (validation
rules, messages, custom scalar coercion, @oneOf rules) differ between graphql-core 3.2 (graphql-js 16)
and 3.3 (graphql-js 17), so the harness always uses 3.2.8. When the installed graphql-core is
another version, 3.2.8 is installed with pip into .local/conformance-graphql-core-3.2.8 (ignored
by git) and put first on sys.path; the servers diff.py starts find it there too.

    import pin; pin.use()      # before anything imports graphql
"""
import importlib.metadata
import os
import subprocess
import sys

VERSION = "3.2.8"
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
LIB = os.path.join(ROOT, ".local", f"conformance-graphql-core-{VERSION}")


def use(install=True):
    if "graphql" in sys.modules:
        raise RuntimeError("pin.use() must run before graphql is imported")
    if os.path.isdir(os.path.join(LIB, "graphql")):
        sys.path.insert(0, LIB)
        return LIB
    try:
        if importlib.metadata.version("graphql-core") == VERSION:
            return None
    except importlib.metadata.PackageNotFoundError:
        pass
    if not install:
        raise SystemExit(f"graphql-core {VERSION} is needed: run diff.py once, or "
                         f"pip install --target {LIB} graphql-core=={VERSION}")
    print(f"installing graphql-core {VERSION} into {LIB}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--target", LIB, f"graphql-core=={VERSION}"], check=True)
    sys.path.insert(0, LIB)
    return LIB
