"""Loomwork runtime: flow files, node contract, registry, compiler, executor, history."""
