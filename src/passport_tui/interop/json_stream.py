"""A JSON file read as a stream: the members of its top-level object one by one, and the items of
an array member one by one, so that no more than one value is in memory at a time.

Only the frame is walked here (the braces, keys, colons and commas of the top-level object and of
one array in it); every value is parsed by the standard library's decoder (``raw_decode``), on a
buffer that grows a megabyte at a time until the value is whole. Syntax errors carry the line and
column the standard library gives, counted from the start of the file, and the same messages
(``Expecting ',' delimiter``, …), so a broken file reads the same as when it is parsed whole.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

CHUNK = 1 << 20  # bytes read at a time
MAX_VALUE = 16 << 20  # characters of one value (one pupil of a passport file is a few hundred KB)

_DECODER = json.JSONDecoder()
_NOT_SPACE = re.compile(r"[^ \t\n\r]")
_NUMBER_GOES_ON = re.compile(r"[0-9.eE+-]*\Z")  # what follows a number cut at the buffer's end
# a value cut at the end of the buffer fails with one of these, near the end (or at a string's start)
_CUT_SLACK = 8


class JsonSyntax(Exception):
    """A syntax error (or a file that is not UTF-8, or a value too long); ``line`` is 1-based."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class JsonStream:
    """The JSON text in ``raw`` (UTF-8, a BOM allowed), read a piece at a time. ``on_bytes`` is
    told how many bytes each piece had (for a progress bar)."""

    def __init__(self, raw: IO[bytes], on_bytes: Callable[[int], None] | None = None):
        self.raw = raw
        self.on_bytes = on_bytes
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.line = 1  # the line of buf[0]
        self.column = 1  # the column of buf[0]
        self.eof = False
        self.byte_lines = 0  # newlines in the bytes decoded so far

    # -- the buffer -------------------------------------------------------------------------

    def _more(self, at_least: int | None = None) -> bool:
        """Drop what is consumed and read at least ``at_least`` more bytes (by default ``CHUNK``);
        False at the end."""
        at_least = CHUNK if at_least is None else at_least
        if self.eof:
            return False
        if self.pos:
            consumed = self.buf[: self.pos]
            newlines = consumed.count("\n")
            if newlines:
                self.line += newlines
                self.column = self.pos - consumed.rfind("\n")
            else:
                self.column += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        pieces = [self.buf]
        got = 0
        while got < at_least and not self.eof:
            data = self.raw.read(CHUNK)
            try:
                pieces.append(self.decoder.decode(data, final=not data))
            except UnicodeDecodeError as e:
                line = self.byte_lines + data.count(b"\n", 0, max(e.start, 0)) + 1
                raise JsonSyntax(line, "the file is not UTF-8 text") from None
            self.byte_lines += data.count(b"\n")
            got += len(data)
            if self.on_bytes is not None and data:
                self.on_bytes(len(data))
            self.eof = not data
        self.buf = "".join(pieces)
        return True

    def _error(self, message: str, at: int | None = None) -> JsonSyntax:
        at = self.pos if at is None else at
        before = self.buf.rfind("\n", 0, at)
        line = self.line + self.buf.count("\n", 0, at)
        column = at - before if before >= 0 else self.column + at
        return JsonSyntax(line, f"JSON syntax error: {message} (column {column})")

    def _peek(self) -> str | None:
        """The next character that is not white space (not consumed); None at the end."""
        while True:
            m = _NOT_SPACE.search(self.buf, self.pos)
            if m is not None:
                self.pos = m.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self._more():
                return None

    # -- values -----------------------------------------------------------------------------

    def value(self, limit: int | None = None) -> tuple[Any, str]:
        """The next value, parsed, and its JSON text; one longer than ``limit`` characters (by
        default ``MAX_VALUE``) is refused rather than read on."""
        limit = MAX_VALUE if limit is None else limit
        if self._peek() is None:
            raise self._error("Expecting value")
        while True:
            try:
                parsed, end = _DECODER.raw_decode(self.buf, self.pos)
                if end - self.pos > limit:
                    raise self._too_long(limit)
                # a number at the end of the buffer ("12", "0.", "1e-") may go on past it
                cut = type(parsed) in (int, float) and _NUMBER_GOES_ON.match(self.buf, end) is not None
                if self.eof or (end < len(self.buf) and not cut):
                    text = self.buf[self.pos : end]
                    self.pos = end
                    return parsed, text
            except json.JSONDecodeError as e:
                cut = e.pos >= len(self.buf) - _CUT_SLACK or e.msg.startswith("Unterminated string")
                if self.eof or not cut:
                    raise self._error(e.msg, e.pos) from None
            except RecursionError:
                raise JsonSyntax(None, "JSON syntax error: nested too deeply") from None
            if len(self.buf) - self.pos > limit:
                raise self._too_long(limit)
            self._more(max(CHUNK, len(self.buf) - self.pos))  # double the buffer: linear in all

    def _too_long(self, limit: int) -> JsonSyntax:
        line = self.line + self.buf.count("\n", 0, self.pos)
        return JsonSyntax(line, f"a value longer than {limit:,} characters: refused")

    def is_next(self, char: str) -> bool:
        return self._peek() == char

    def members(self) -> Iterator[str]:
        """The keys of the top-level object, in file order; after each, the caller must read its
        value (``value``, or ``items`` to the end). Raises ``NotAnObject`` when the file holds
        another value."""
        first = self._peek()
        if first != "{":
            if first is None:
                raise self._error("Expecting value")
            self.value()  # a syntax error in it says so first
            self._end()
            raise NotAnObject
        self.pos += 1
        if self._peek() == "}":
            self.pos += 1
            self._end()
            return
        while True:
            if self._peek() != '"':
                raise self._error("Expecting property name enclosed in double quotes")
            key, _ = self.value()
            if self._peek() != ":":
                raise self._error("Expecting ':' delimiter")
            self.pos += 1
            yield key
            nxt = self._peek()
            if nxt == ",":
                self.pos += 1
                continue
            if nxt == "}":
                self.pos += 1
                self._end()
                return
            raise self._error("Expecting ',' delimiter")

    def items(self, limit: int | None = None) -> Iterator[tuple[Any, str]]:
        """The items of the array that comes next, each parsed and with its JSON text."""
        if self._peek() != "[":
            raise ValueError("not an array")  # the caller checks with is_next("[") first
        self.pos += 1
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value(limit)
            nxt = self._peek()
            if nxt == ",":
                self.pos += 1
                continue
            if nxt == "]":
                self.pos += 1
                return
            raise self._error("Expecting ',' delimiter")

    def _end(self) -> None:
        if self._peek() is not None:
            raise self._error("Extra data")


class NotAnObject(Exception):
    """The file holds a JSON value that is not an object."""
