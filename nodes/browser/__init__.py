"""Browser nodes on Playwright: open a page, click, fill in (passwords from the keyring),
choose, tick, press keys, hover, upload, wait, read text, tables and records, collect
paged lists, screenshots, downloads, dialogs, tabs and saved logins.

The run's browser is a run resource (`_session.py`): launched by the first browser step,
shared by the steps after it, closed when the run ends. Playwright is imported only when
a browser step runs.
"""

from nodes.browser.check import Check
from nodes.browser.click import Click
from nodes.browser.cookies import LoadCookies, SaveCookies
from nodes.browser.dialog import AnswerDialog
from nodes.browser.download import Download
from nodes.browser.extract_records import ExtractRecords
from nodes.browser.extract_table import ExtractTable
from nodes.browser.extract_text import ExtractText
from nodes.browser.fill import Fill
from nodes.browser.goto import Goto
from nodes.browser.hover import Hover
from nodes.browser.open_browser import OpenBrowser
from nodes.browser.paginate import Paginate
from nodes.browser.press_keys import PressKeys
from nodes.browser.screenshot import Screenshot
from nodes.browser.select_option import SelectOption
from nodes.browser.switch_page import SwitchPage
from nodes.browser.upload import Upload
from nodes.browser.wait_for import WaitFor

NODE_TYPES = [OpenBrowser, Goto, Click, Fill, SelectOption, Check, PressKeys, Hover, Upload, WaitFor,
              ExtractText, ExtractTable, ExtractRecords, Paginate, Screenshot, Download, AnswerDialog,
              SwitchPage, SaveCookies, LoadCookies]
