"""Reading files a piece at a time, so that no reader holds a whole large file in memory.

- :class:`Capped`: a byte stream that counts what it hands out and stops with :class:`TooBig` at
  a cap (a size written in a zip's directory is not trusted: the bytes are counted as they come).
- :func:`sniff_encoding`: which encoding a text file is in (UTF-8 with or without BOM, UTF-16 with
  BOM, else Windows-1252, as Excel writes "CSV" on Windows), decided by decoding the stream in
  pieces; a file that is none of them is refused with the line of its first bad byte.
- :func:`csv_lines`: lines of a text stream for :mod:`csv`, each at most ``MAX_LINE`` characters
  (a file of one endless line is refused, not read into one string).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from typing import IO

CHUNK = 1 << 20  # bytes read at a time
MAX_LINE = 1 << 20  # characters in one line of a CSV file


class TooBig(Exception):
    """A stream went past its cap; the message says what the cap is, ``line`` where (when known)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class NotText(Exception):
    """A file is not text in any encoding read here; ``line`` is where the first bad byte is."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class _Through(io.RawIOBase):
    """A byte stream read through ``raw``, which it closes with itself."""

    def __init__(self, raw: IO[bytes]):
        super().__init__()
        self.raw = raw

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


class Capped(_Through):
    """``raw`` read through a counter: past ``limit`` bytes, :class:`TooBig` with ``message()``."""

    def __init__(self, raw: IO[bytes], limit: int, message: Callable[[], str]):
        super().__init__(raw)
        self.limit = limit
        self.message = message
        self.count = 0

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        want = min(len(buffer), self.limit + 1 - self.count)
        data = self.raw.read(max(want, 1))
        self.count += len(data)
        if self.count > self.limit:
            raise TooBig(self.message())
        buffer[: len(data)] = data
        return len(data)


class Counted(_Through):
    """``raw`` read through a callback told how many bytes each read gave (for a progress bar)."""

    def __init__(self, raw: IO[bytes], on_bytes: Callable[[int], None]):
        super().__init__(raw)
        self.on_bytes = on_bytes

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        if data:
            self.on_bytes(len(data))
        return len(data)


def sniff_encoding(open_bytes: Callable[[], IO[bytes]]) -> str:
    """The encoding of the text ``open_bytes()`` streams (read to its end, a piece at a time, and
    again when it is not UTF-8): ``utf-16`` after a UTF-16 BOM, else ``utf-8-sig`` when all of it
    is UTF-8, else ``cp1252``. Raises :class:`NotText` naming the line of the first byte that fits
    none of them."""
    with open_bytes() as stream:
        first = stream.read(CHUNK)
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):
            _decodes(first, stream, "utf-16")  # NotText when it is not
            return "utf-16"
        try:
            _decodes(first, stream, "utf-8-sig")
            return "utf-8-sig"
        except NotText as error:
            not_utf8 = error
    with open_bytes() as stream:
        try:
            _decodes(stream.read(CHUNK), stream, "cp1252")
        except NotText:
            message = "not text in UTF-8 or Windows-1252: save the file as CSV UTF-8"
            raise NotText(message, not_utf8.line) from None
    return "cp1252"


def _decodes(first: bytes, stream: IO[bytes], encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    chunk = first
    while True:
        final = not chunk
        try:
            decoder.decode(chunk, final=final)
        except UnicodeDecodeError as e:
            where = lines + chunk.count(b"\n", 0, max(e.start, 0)) + 1 if chunk else None
            what = "UTF-16" if encoding == "utf-16" else encoding
            raise NotText(f"not valid {what} text: {e.reason}", where) from None
        if final:
            return
        lines += chunk.count(b"\n")
        chunk = stream.read(CHUNK)


def csv_lines(text: IO[str], *, max_line: int = MAX_LINE) -> Iterator[str]:
    """The lines of ``text`` (opened with ``newline=""``) for :func:`csv.reader`; a line longer than
    ``max_line`` characters raises :class:`TooBig`."""
    number = 0
    while True:
        line = text.readline(max_line)
        if not line:
            return
        number += 1
        if len(line) >= max_line and not line.endswith(("\n", "\r")):
            raise TooBig(f"a line longer than {max_line:,} characters: not a CSV file", number)
        yield line
