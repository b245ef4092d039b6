"""The embedded model: model packs on disk, the catalog and downloads, provider choice, and
the resident model service that AI steps reach through `ctx.services["model"]`.

Nothing here imports onnxruntime-genai at import time: the model runtime loads on the first
request. `models` and `nodes` never import each other (DESIGN §1).
"""
