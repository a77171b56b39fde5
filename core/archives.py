"""Office documents that are ZIP archives (OpenDocument, Office Open XML), inspected without
trusting them: every upload check that accepts such a file asks ``office_document_kind``.

The archive is judged by its central directory, read with bounded reads. Entries are refused
by their declared size and compression ratio before anything is inflated; sizes that no honest
writer produces (a central directory and a local header that disagree, a deflated entry bigger
than its data could ever inflate from) are refused too, and no entry is ever inflated past its
first few KB, so a zip bomb costs a few KB of memory whatever it claims. Then the structure
the format requires is checked, and programs, scripts and macros inside are refused by their
name and by their first bytes."""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from typing import IO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.errors import DomainError

# Limits, generous for real documents (a 10 MB upload) and far below what hurts a worker.
MAX_ENTRIES = 3000
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
# Office XML compresses 5-30 times; 100 leaves room for very repetitive spreadsheets. Small
# entries are not held to it (a few KB of zeros is harmless and compresses 1000 times).
MAX_RATIO = 100
RATIO_APPLIES_ABOVE = 256 * 1024
# How much of an entry is ever inflated: enough to see what it starts with, and to find a
# macro-enabled type among the content types.
HEAD_BYTES = 512
CONTENT_TYPES_BYTES = 16 * 1024

ODF_MEDIA_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
OOXML_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
OFFICE_EXTENSIONS = frozenset(ODF_MEDIA_TYPES) | frozenset(OOXML_MAIN_PARTS)
FORMAT_NAMES = {
    "odt": "OpenDocument Text",
    "ods": "OpenDocument Spreadsheet",
    "odp": "OpenDocument Presentation",
    "docx": "Word",
    "xlsx": "Excel",
    "pptx": "PowerPoint",
}

# Programs and scripts, by the name's extension.
# fmt: off
EXECUTABLE_EXTENSIONS = frozenset({
    "exe", "dll", "com", "scr", "pif", "cpl", "msi", "msp", "sys", "drv", "ocx", "bat", "cmd",
    "ps1", "psm1", "vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh", "wsc", "hta", "html", "htm",
    "xhtml", "mht", "mhtml", "sh", "bash", "zsh", "csh", "ksh", "py", "pyc", "pl", "rb", "php",
    "jar", "class", "apk", "app", "elf", "so", "dylib", "bin", "lnk", "reg", "inf", "scf", "url",
    "desktop", "command",
})
# fmt: on
# ... except the binary parts office writers put in every document (printer settings, embedded
# OLE objects, fonts); their content is still checked by its first bytes.
ALLOWED_BINARY_PARTS = ("printerSettings", "oleObject", "embeddings/", "fonts/", "Thumbnails/", "media/")
# Macros: VBA in Office Open XML, Basic and scripts in OpenDocument.
MACRO_NAMES = ("vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin")
MACRO_FOLDERS = ("basic/", "scripts/")
# Programs and scripts, by their first bytes (compared after leading white space, lower case).
EXECUTABLE_MAGIC = (
    b"mz",  # Windows programs and libraries
    b"\x7felf",  # Linux programs
    b"#!",  # scripts
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java classes
    b"<html",
    b"<!doctype html",
    b"<script",
    b"<hta:",
)

_EOCD = struct.Struct("<4s4H2LH")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_DATA_DESCRIPTOR_FLAG = 0x08


@dataclass(frozen=True)
class _Directory:
    entries: int
    size: int


def _refuse(message: str, field: str) -> DomainError:
    return DomainError(message, field=field)


def _damaged(field: str) -> DomainError:
    return _refuse(_("This office document is damaged or is not a real office document."), field)


def office_document_kind(fileobj: IO[bytes], claimed_extension: str = "", *, field: str = "file") -> str:
    """The extension (``odt``, ``ods``, ``odp``, ``docx``, ``xlsx`` or ``pptx``) of the office
    document in ``fileobj``, a ZIP archive. When ``claimed_extension`` (the uploaded name's) is
    one of those, the file must be a valid document of that format; otherwise the format is
    judged by the content. Raises DomainError (on ``field``) with the reason for anything else:
    a zip bomb, a damaged or lying archive, a ZIP that is not an office document, or one that
    carries programs, scripts or macros. Never inflates more than a few KB of any entry
    (HEAD_BYTES, CONTENT_TYPES_BYTES, and the decompressor's 4 KB step); the file position is
    put back at 0."""
    claimed = claimed_extension.lower().lstrip(".")
    try:
        directory = _central_directory(fileobj, field)
        if directory.entries > MAX_ENTRIES:
            raise _refuse(
                _("This archive has %(n)d entries; an office document has at most %(max)d.")
                % {"n": directory.entries, "max": MAX_ENTRIES},
                field,
            )
        if directory.size > MAX_CENTRAL_DIRECTORY_BYTES:
            raise _damaged(field)
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            _check_sizes(fileobj, infos, field)
            _check_contents(archive, infos, field)
            return _format(archive, infos, claimed, field)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise _damaged(field) from None
    finally:
        fileobj.seek(0)


def _central_directory(fileobj: IO[bytes], field: str) -> _Directory:
    """Entry count and size of the central directory, from the end-of-central-directory record
    (found in the archive's last 64 KB, the most a comment can take)."""
    fileobj.seek(0, 2)
    length = fileobj.tell()
    tail_length = min(length, _EOCD.size + 0xFFFF)
    fileobj.seek(length - tail_length)
    tail = fileobj.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        raise _damaged(field)
    _sig, disk, cd_disk, _here, entries, size, offset, _comment = _EOCD.unpack_from(tail, at)
    if disk or cd_disk or entries == 0xFFFF or 0xFFFFFFFF in (size, offset):
        # Split archives and ZIP64 (more than 65,535 entries or 4 GB): no office document needs them.
        raise _damaged(field)
    return _Directory(entries=entries, size=size)


def _check_sizes(fileobj: IO[bytes], infos: list[zipfile.ZipInfo], field: str) -> None:
    if len({info.filename for info in infos}) != len(infos):
        raise _damaged(field)  # two entries of one name: readers disagree on which one counts
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Office writers only store or deflate; bzip2 and LZMA inflate without a bound.
            raise _damaged(field)
        if info.flag_bits & 0x01:  # encrypted
            raise _refuse(_("Password-protected documents cannot be attached."), field)
        if info.file_size > MAX_ENTRY_BYTES:
            raise _refuse(
                _(
                    "This archive is refused: its entry “%(name)s” would unpack to %(size)s, more "
                    "than any office document needs (zip bomb)."
                )
                % {"name": info.filename[:80], "size": filesizeformat(info.file_size)},
                field,
            )
        if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(
                _(
                    "This archive is refused: its entry “%(name)s” is compressed %(ratio)d times, "
                    "as zip bombs are; real documents are compressed at most %(max)d times."
                )
                % {
                    "name": info.filename[:80],
                    "ratio": info.file_size // max(info.compress_size, 1),
                    "max": MAX_RATIO,
                },
                field,
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise _damaged(field)
        # Deflate never makes data more than 0.1 % (plus a few bytes) larger, so a deflated entry
        # much larger than its declared size declares a lie: it would inflate past it.
        if info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size > info.file_size * 1.01 + 1024:
            raise _damaged(field)
        _check_local_header(fileobj, info, field)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse(
                _("This archive is refused: it would unpack to more than %(max)s (zip bomb).")
                % {"max": filesizeformat(MAX_TOTAL_BYTES)},
                field,
            )


def _check_local_header(fileobj: IO[bytes], info: zipfile.ZipInfo, field: str) -> None:
    """The local header (read whole: 30 bytes) must agree with the central directory: a reader
    that follows the local header would otherwise see another archive than this check."""
    fileobj.seek(info.header_offset)
    raw = fileobj.read(_LOCAL_HEADER.size)
    if len(raw) != _LOCAL_HEADER.size:
        raise _damaged(field)
    (signature, _version, flags, method, _time, _date, crc, compressed, size, _name_length, _extra) = (
        _LOCAL_HEADER.unpack(raw)
    )
    if signature != b"PK\x03\x04" or method != info.compress_type:
        raise _damaged(field)
    if flags & _DATA_DESCRIPTOR_FLAG:
        return  # sizes follow the data; the local header's are zero by design
    if 0xFFFFFFFF in (compressed, size):
        return  # ZIP64 extra field; the central directory's sizes were checked above
    if (crc, compressed, size) != (info.CRC, info.compress_size, info.file_size):
        raise _damaged(field)


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = HEAD_BYTES) -> bytes:
    """The entry's first ``limit`` bytes at most: the decompressor is asked for no more."""
    with archive.open(info) as entry:
        return entry.read(limit)


def _check_contents(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], field: str) -> None:
    for info in infos:
        name = info.filename
        lowered = name.lower()
        basename = lowered.rsplit("/", 1)[-1]
        extension = basename.rsplit(".", 1)[-1] if "." in basename else ""
        is_macro = basename in MACRO_NAMES or lowered.startswith(MACRO_FOLDERS)
        allowed_binary = extension == "bin" and any(part.lower() in lowered for part in ALLOWED_BINARY_PARTS)
        if is_macro or (extension in EXECUTABLE_EXTENSIONS and not allowed_binary):
            raise _program_inside(name, field)
        if info.is_dir() or not info.file_size:
            continue
        head = _head(archive, info).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith(EXECUTABLE_MAGIC):
            raise _program_inside(name, field)


def _program_inside(name: str, field: str) -> DomainError:
    return _refuse(
        _(
            "This document carries a program, a script or macros (“%(name)s”); documents with "
            "programs, scripts or macros cannot be attached. Save it without them and try again."
        )
        % {"name": name[:80]},
        field,
    )


def _format(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], claimed: str, field: str) -> str:
    names = {info.filename for info in infos}
    if claimed in ODF_MEDIA_TYPES or (claimed not in OOXML_MAIN_PARTS and "mimetype" in names):
        return _opendocument(archive, infos, names, claimed, field)
    if claimed in OOXML_MAIN_PARTS or "[Content_Types].xml" in names:
        return _office_open_xml(archive, names, claimed, field)
    raise _refuse(_("This ZIP archive is not an office document."), field)


def _not_a_valid(claimed: str, field: str) -> DomainError:
    if claimed in FORMAT_NAMES:
        return _refuse(
            _("This file is named .%(extension)s but is not a valid %(format)s document.")
            % {"extension": claimed, "format": FORMAT_NAMES[claimed]},
            field,
        )
    return _refuse(_("This ZIP archive is not an office document."), field)


def _opendocument(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], names: set[str], claimed: str, field: str
) -> str:
    """OpenDocument: the first entry is ``mimetype``, stored uncompressed at the very start,
    naming an accepted media type; ``META-INF/manifest.xml`` and ``content.xml`` are there."""
    first = min(infos, key=lambda info: info.header_offset) if infos else None
    if (
        first is None
        or first.filename != "mimetype"
        or first.header_offset != 0
        or first.compress_type != zipfile.ZIP_STORED
        or not {"META-INF/manifest.xml", "content.xml"} <= names
    ):
        raise _not_a_valid(claimed, field)
    media_type = _head(archive, first).decode("ascii", "replace").strip()
    for extension, expected in ODF_MEDIA_TYPES.items():
        # A name that claims no office format lets the content decide.
        if media_type == expected and (claimed == extension or claimed not in OFFICE_EXTENSIONS):
            return extension
    raise _not_a_valid(claimed, field)


def _office_open_xml(archive: zipfile.ZipFile, names: set[str], claimed: str, field: str) -> str:
    """Office Open XML: ``[Content_Types].xml`` and the main part of the claimed format (or of
    exactly one format when the name claims none); no macro-enabled content type."""
    if "[Content_Types].xml" not in names:
        raise _not_a_valid(claimed, field)
    if claimed in OOXML_MAIN_PARTS:
        found = [claimed] if OOXML_MAIN_PARTS[claimed] in names else []
    else:
        found = [extension for extension, part in OOXML_MAIN_PARTS.items() if part in names]
    if len(found) != 1:
        raise _not_a_valid(claimed, field)
    content_types = _head(archive, archive.getinfo("[Content_Types].xml"), CONTENT_TYPES_BYTES).lower()
    if b"macroenabled" in content_types or b"vbaproject" in content_types:
        raise _program_inside("[Content_Types].xml", field)
    return found[0]
