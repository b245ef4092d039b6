"""Build the project's own tiny random-weight model packs (test fixtures only).

Run ``python -m models.testpacks.build OUT_DIR [--which text|vision|all]``. The build
needs the optional ``models-build`` extra (torch, transformers, onnx, ...); nothing here
is imported by the runtime or by the tests, which only load the generated packs.
"""
