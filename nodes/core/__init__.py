"""Core nodes: flow inputs and outputs, constants, templates, table and JSON operations."""

from nodes.core.constant import Constant
from nodes.core.delay import Delay
from nodes.core.filter_rows import FilterRows
from nodes.core.flow_input import FlowInput
from nodes.core.flow_output import FlowOutput
from nodes.core.json_format import JsonFormat
from nodes.core.json_parse import JsonParse
from nodes.core.log import Log
from nodes.core.set_fields import SetFields
from nodes.core.sort_rows import SortRows
from nodes.core.text_template import TextTemplate

NODE_TYPES = [Constant, Delay, FilterRows, FlowInput, FlowOutput, JsonFormat, JsonParse, Log,
              SetFields, SortRows, TextTemplate]
