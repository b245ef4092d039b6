"""Compact columns for large sheets: numbers and dates in typed arrays, the rest in lists.

A Python float in a list costs 32 bytes and a datetime 56; in an `array('d')` either is 8.
The sheet reader hands each column its values a block of rows at a time; a block whose
values are all plain numbers, or all numbers in a date style, goes into a typed array
(empty cells as NaN, which Excel cannot store), any other block into a list. A column is a
run of such segments, so one text cell (a header, an "n/a") costs a list segment for its
block and not the whole column. Values come out exactly as the list form would give them:
whole numbers as int, dates as date or datetime.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import chain, pairwise, repeat
from operator import itemgetter
from typing import Any

from nodes.spreadsheet._ooxml_book import DateKind

__all__ = ["ColumnBuilder", "Dated", "SegmentedColumn", "duration_text", "serial_value"]

_NAN = math.nan
_EXACT = 2**53
_BASE = dt.datetime(1899, 12, 30)
_LAST_SERIAL = 2_958_466  # 1 January 10000, the first day Excel cannot show
_NUMBER, _DATE, _BOOLEAN, _OBJECTS = "number", "date", "boolean", "objects"
_TYPE_NAMES = {bool: "boolean", int: "integer", float: "number", str: "text", dt.date: "date",
               dt.datetime: "datetime"}


def duration_text(seconds: float, digits: int = 3) -> str:
    """A duration ([h]:mm:ss format) as Excel shows it, e.g. 36:30:00; fractions of a second
    to `digits` places (3 for Excel serials, 6 for a timedelta)."""
    scale = 10 ** digits
    units = round(seconds * scale)
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), scale)
    hours, rest = divmod(whole, 3600)
    text = f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return text + (f".{fraction:0{digits}d}".rstrip("0") if fraction else "")


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and -_EXACT < value < _EXACT else value


def _days(number: float, shift: int) -> float:
    """Days since 30 December 1899 of an Excel serial number (`shift`: 1462 in the 1904 system)."""
    serial = number + shift
    return serial + 1 if serial < 60 else serial  # Excel counts a 29 February 1900 that never was


def _moment(serial: float) -> dt.datetime:
    return _BASE + dt.timedelta(milliseconds=round(serial * 86_400_000))


def serial_value(number: float, kind: int, shift: int) -> Any:
    """An Excel serial number in a date style as a Table value: a date (whole days), a
    datetime, a time of day as text ("08:30:00"), a duration as text ("36:30:00").
    `shift`: 1462 for the 1904 date system, else 0 (the 1900 system with its leap-year bug)."""
    if not -_LAST_SERIAL < number < _LAST_SERIAL:  # Excel shows ####: the number is all there is
        return _number(number)
    if kind == DateKind.DURATION:
        return duration_text(number * 86_400)
    if number < 0:
        return _number(number)
    serial = _days(number, shift)
    if number < 1:
        return _moment(serial).time().isoformat()
    if number.is_integer():
        return (_BASE + dt.timedelta(days=serial)).date()
    return _moment(serial)


Dated = tuple
"""A number read from a cell in a date style is handed over as the tuple (number, DateKind)."""


def _number_kinds(numbers: Sequence[float]) -> set[type]:
    """int and/or float: which of them the (non-empty) numbers of a typed segment are."""
    if not numbers:
        return set()
    whole = sum(map(float.is_integer, numbers))
    if whole and max(map(abs, numbers)) >= _EXACT:  # whole numbers too large to be exact stay float
        whole = sum(1 for v in numbers if v.is_integer() and abs(v) < _EXACT)
    return ({int} if whole else set()) | ({float} if whole < len(numbers) else set())


def _date_kinds(serials: Sequence[float]) -> set[type]:
    """date and/or datetime: whole days and moments among the serials of a date segment."""
    if not serials:
        return set()
    whole = sum(map(float.is_integer, serials))
    return ({dt.date} if whole else set()) | ({dt.datetime} if whole < len(serials) else set())


class _Segment:
    """A run of one column's values: typed (an array) or a list, and the kinds of value in it."""

    __slots__ = ("kind", "kinds", "values")

    def __init__(self, kind: str, values: Any) -> None:
        self.kind, self.values = kind, values
        self.kinds: set[type] = set()

    def recount(self) -> None:
        """The kinds, worked out again (after some values were dropped)."""
        if self.kind == _NUMBER:
            self.kinds = _number_kinds([v for v in self.values if v == v])
        elif self.kind == _DATE:
            self.kinds = _date_kinds([v for v in self.values if v == v])
        elif self.kind == _BOOLEAN:
            self.kinds = {bool} if any(v >= 0 for v in self.values) else set()
        else:
            self.kinds = set(map(type, self.values)) - {type(None)}


class SegmentedColumn(Sequence[Any]):
    """One column's values as a run of segments (typed arrays and lists), read-only."""

    __slots__ = ("_cache", "_length", "_promote", "_segments", "_shift", "_starts")

    def __init__(self, segments: list[_Segment], shift: int) -> None:
        self._segments = segments
        self._shift = shift
        self._starts: list[int] = []
        self._length = 0
        self._index()
        self._promote = False
        self._cache: dict[float, dt.date] = {}

    def __len__(self) -> int:
        return self._length

    def _decoder(self, kind: str) -> Any:
        if kind == _NUMBER:
            return lambda v: None if v != v else _number(v)
        if kind == _BOOLEAN:
            return lambda v: None if v < 0 else v == 1
        shift, promote, cache = self._shift, self._promote, self._cache

        def day(v: float) -> Any:
            if v != v:
                return None
            if promote or not v.is_integer():
                return _moment(_days(v, shift))
            found = cache.get(v)
            if found is None:
                found = cache[v] = serial_value(v, DateKind.DATE, shift)
            return found
        return day

    def __iter__(self) -> Iterator[Any]:
        parts = []
        for segment in self._segments:
            values = segment.values
            parts.append(values if segment.kind == _OBJECTS else map(self._decoder(segment.kind), values))
        return chain.from_iterable(parts)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("column index out of range")
        at = bisect_right(self._starts, index) - 1
        segment = self._segments[at]
        value = segment.values[index - self._starts[at]]
        return value if segment.kind == _OBJECTS else self._decoder(segment.kind)(value)

    def take(self, picks: list[int]) -> SegmentedColumn | list[Any]:
        """The values at `picks` (negative ones count from the end); in ascending order they
        stay in typed segments."""
        count = self._length
        if picks and (min(picks) < 0 or max(picks) >= count):
            picks = [p + count if p < 0 else p for p in picks]
            if min(picks) < 0 or max(picks) >= count:
                raise IndexError("column index out of range")
        if any(a > b for a, b in pairwise(picks)):
            plain = list(self)
            return [plain[i] for i in picks]
        segments, at = [], 0
        for segment, start in zip(self._segments, self._starts, strict=True):
            end = start + len(segment.values)
            first = at
            while at < len(picks) and picks[at] < end:
                at += 1
            if at == first:
                continue
            values = segment.values
            chosen = [values[i - start] for i in picks[first:at]]
            typed = segment.kind != _OBJECTS
            part = _Segment(segment.kind, array(values.typecode, chosen) if typed else chosen)
            part.recount()
            segments.append(part)
        column = SegmentedColumn(segments, self._shift)
        column._promote = self._promote
        return column

    def table_type(self) -> str:
        """The Table column type of the values (dates beside date-times become date-times)."""
        kinds: set[type] = set()
        for segment in self._segments:
            kinds |= segment.kinds
        if kinds == {dt.date, dt.datetime}:
            self.promote()
            return "datetime"
        if kinds == {int, float}:
            return "number"
        return _TYPE_NAMES.get(kinds.pop(), "any") if len(kinds) == 1 else "any"

    def promote(self) -> None:
        """Dates among date-times become that day at midnight."""
        self._promote = True
        for segment in self._segments:
            if segment.kind == _OBJECTS:
                segment.values = [dt.datetime(v.year, v.month, v.day) if type(v) is dt.date else v
                                  for v in segment.values]

    def drop_first(self, count: int) -> None:
        """Forget the first `count` values (the rows above a table's first data row)."""
        while count and self._segments:
            segment = self._segments[0]
            if len(segment.values) <= count:
                count -= len(segment.values)
                self._segments.pop(0)
            else:
                del segment.values[:count]
                segment.recount()
                count = 0
        self._index()

    def _index(self) -> None:
        self._starts = []
        total = 0
        for segment in self._segments:
            self._starts.append(total)
            total += len(segment.values)
        self._length = total


class ColumnBuilder:
    """Collects one column block by block (see the module's docstring)."""

    __slots__ = ("_length", "_segments", "_shift")

    def __init__(self, shift: int) -> None:
        self._segments: list[_Segment] = []
        self._length = 0
        self._shift = shift

    def _open(self, kind: str) -> _Segment:
        if self._segments and self._segments[-1].kind == kind:
            return self._segments[-1]
        values = array("d") if kind in (_NUMBER, _DATE) else array("b") if kind == _BOOLEAN else []
        self._segments.append(_Segment(kind, values))
        return self._segments[-1]

    def pad(self, length: int) -> None:
        """Empty values up to `length` positions."""
        missing = length - self._length
        if missing > 0:
            kind = self._segments[-1].kind if self._segments else _OBJECTS
            self._open(kind).values.extend(repeat({_OBJECTS: None, _BOOLEAN: -1}.get(kind, _NAN), missing))
            self._length = length

    def add(self, start: int, block: list[Any]) -> None:
        """The values of positions `start`, `start` + 1, … (None: empty; a float: a number;
        a tuple (number, DateKind): a number in a date style; anything else as it is)."""
        self.pad(start)
        kinds = set(map(type, block))
        full = type(None) not in kinds
        kinds.discard(type(None))
        present = block if full else [v for v in block if v is not None]
        if kinds == {float}:
            segment = self._open(_NUMBER)
            segment.values.extend(block if full else [_NAN if v is None else v for v in block])
            segment.kinds |= _number_kinds(present)
        elif kinds == {bool}:
            segment = self._open(_BOOLEAN)
            segment.values.extend(block if full else [-1 if v is None else v for v in block])
            segment.kinds.add(bool)
        elif kinds == {tuple} and _plain_dates(present):
            serials = list(map(itemgetter(0), present))
            segment = self._open(_DATE)
            segment.values.extend(serials if full else [_NAN if v is None else v[0] for v in block])
            segment.kinds |= _date_kinds(serials)
        else:
            shift = self._shift
            values = block if not kinds & {float, tuple} else [
                _number(v) if type(v) is float else serial_value(v[0], v[1], shift) if type(v) is tuple else v
                for v in block]
            segment = self._open(_OBJECTS)
            segment.values.extend(values)
            segment.kinds |= set(map(type, values)) - {type(None)} if kinds & {float, tuple} else kinds
        self._length = start + len(block)

    def finish(self, length: int) -> SegmentedColumn | list[Any]:
        """The column, `length` values long (a plain list when it holds no typed segment)."""
        self.pad(length)
        if len(self._segments) == 1 and self._segments[0].kind == _OBJECTS:
            return self._segments[0].values  # type: ignore[no-any-return]
        if all(segment.kind == _OBJECTS for segment in self._segments):
            return [v for segment in self._segments for v in segment.values]
        return SegmentedColumn(self._segments, self._shift)


def _plain_dates(present: list[tuple[float, int]]) -> bool:
    """Whether numbers in date styles are all days or moments Excel can show (no times of day,
    durations or out-of-range serials, which become text or stay numbers)."""
    kinds = set(map(itemgetter(1), present))
    numbers = list(map(itemgetter(0), present))
    last = _LAST_SERIAL - 1462  # the 1904 system shifts serials by 1462 days
    return kinds <= {DateKind.DATE, DateKind.TIME} and min(numbers) >= 1 and max(numbers) < last
