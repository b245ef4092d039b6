"""Helpers that several node packs share (private: not a node pack, declares no node types).

`values`: text and JSON forms of port values; `compare`: the one rule set by which If,
Switch, Filter rows, Sort rows and Join compare values; `offload`: running the heavy part
of a node in a worker thread so that cancelling and time limits can interrupt it.
"""
