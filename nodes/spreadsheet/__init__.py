"""Spreadsheet nodes: read sheets fast (our streaming .xlsx reader; calamine for .xls/.xlsb/.ods)
and edit .xlsx/.xlsm workbooks safely (openpyxl).

The libraries load only when a node runs, never when the pack is discovered.
"""

from nodes.spreadsheet.append_rows import AppendRows
from nodes.spreadsheet.delete_rows import DeleteRows
from nodes.spreadsheet.find_rows import FindRows
from nodes.spreadsheet.read import ReadSheet
from nodes.spreadsheet.sheet_add import SheetAdd
from nodes.spreadsheet.sheet_rename import SheetRename
from nodes.spreadsheet.upsert_rows import UpsertRows
from nodes.spreadsheet.write_range import WriteRange

NODE_TYPES = (ReadSheet, FindRows, WriteRange, AppendRows, UpsertRows, DeleteRows, SheetAdd, SheetRename)
