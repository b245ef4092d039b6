"""Control nodes: branch (If, Switch), bring paths together (Merge), join tables, run other
flows (Subflow) and repeat steps for every item (For each)."""

from nodes.control.for_each import ForEach
from nodes.control.if_node import If
from nodes.control.join import Join
from nodes.control.merge import Merge
from nodes.control.subflow import Subflow
from nodes.control.switch import Switch

NODE_TYPES = [If, Switch, Merge, Join, Subflow, ForEach]
