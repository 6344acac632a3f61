"""The playground: symcnn in the browser (Pyodide), a static site built from pinned packages and served locally.

``python -m symcnn.web build --out site`` writes the site; ``symcnn serve`` (or ``python -m symcnn.web``)
builds it if needed and serves it on 127.0.0.1. :mod:`symcnn.web.page` is what the page runs.
"""
