"""Core nodes: flow inputs and outputs, constants, templates, text rules, table and JSON operations."""

from nodes.core.constant import Constant
from nodes.core.delay import Delay
from nodes.core.extract_patterns import ExtractPatterns
from nodes.core.filter_rows import FilterRows
from nodes.core.flow_input import FlowInput
from nodes.core.flow_output import FlowOutput
from nodes.core.json_format import JsonFormat
from nodes.core.json_parse import JsonParse
from nodes.core.log import Log
from nodes.core.set_fields import SetFields
from nodes.core.sort_rows import SortRows
from nodes.core.text_template import TextTemplate

NODE_TYPES = [Constant, Delay, ExtractPatterns, FilterRows, FlowInput, FlowOutput, JsonFormat, JsonParse, Log,
              SetFields, SortRows, TextTemplate]
