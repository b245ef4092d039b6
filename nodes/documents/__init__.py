"""Document nodes: read PDFs (text, tables, pages as images), split, merge, rotate and extract PDF
pages, read and fill Word documents, read images and scans with offline OCR.

Every module here is light to import: PDFium, pypdf, pdfplumber, python-docx, docxtpl, Pillow
and the OCR engine load when a node first runs.
"""

from nodes.documents.docx_read import DocxRead
from nodes.documents.docx_template import DocxFromTemplate
from nodes.documents.image_read import ImageRead
from nodes.documents.ocr import Ocr
from nodes.documents.pdf_extract import PdfExtract
from nodes.documents.pdf_merge import PdfMerge
from nodes.documents.pdf_read import PdfRead
from nodes.documents.pdf_render import PdfRender
from nodes.documents.pdf_rotate import PdfRotate
from nodes.documents.pdf_split import PdfSplit
from nodes.documents.pdf_tables import PdfTables

NODE_TYPES = (DocxFromTemplate, DocxRead, ImageRead, Ocr, PdfExtract, PdfMerge, PdfRead, PdfRender, PdfRotate,
              PdfSplit, PdfTables)
