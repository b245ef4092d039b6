"""File nodes: read and write CSV and text files, list folders, copy, move and delete files."""

from nodes.files.copy import CopyFile
from nodes.files.csv_read import CsvRead
from nodes.files.csv_write import CsvWrite
from nodes.files.delete import DeleteFile
from nodes.files.list_folder import ListFolder
from nodes.files.move import MoveFile
from nodes.files.read_text import ReadText
from nodes.files.write_text import WriteText

NODE_TYPES = [CopyFile, CsvRead, CsvWrite, DeleteFile, ListFolder, MoveFile, ReadText, WriteText]
