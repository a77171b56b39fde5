"""Safe uploads (security issue, items 1, 16 and 12): zip bombs are refused without being
inflated, a ZIP passes as an office document only with the structure its format requires and
without programs, scripts or macros inside, and a reviewer in a blind review downloads PDFs
without the document metadata that names their author."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext
from fpdf import FPDF
from pypdf import PdfReader
from wagtail.documents.models import Document
from wagtail.models import Collection

from core.errors import DomainError
from marketplace.awards.services import determinations as determinations_services
from marketplace.challenges.models import ChallengePage
from marketplace.proposals import attachments
from marketplace.proposals.models import ProposalAttachment
from marketplace.proposals.services import attachments as attachments_services
from marketplace.proposals.services import drafts as drafts_services
from marketplace.proposals.services import submission as submission_services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages", "private_media")]

GiB = 1024**3
MiB = 1024**2
ODT_TYPE = "application/vnd.oasis.opendocument.text"
ODT_MEDIA_TYPE = b"application/vnd.oasis.opendocument.text"


def indonesian(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


# Archives written byte by byte, so that they can lie ----------------------------------------------


@dataclass
class Member:
    name: str
    data: bytes  # as stored in the archive (deflated when ``method`` is 8)
    size: int  # uncompressed size, declared in the central directory
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    local_size: int | None = None  # a different size in the local header: a lie


def stored(name: str, content: bytes) -> Member:
    return Member(name, content, len(content), zlib.crc32(content), zipfile.ZIP_STORED)


def deflated(name: str, content: bytes) -> Member:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Member(name, packer.compress(content) + packer.flush(), len(content), zlib.crc32(content))


def deflated_zeros(name: str, size: int) -> Member:
    """``size`` zero bytes (a whole number of MiB) deflated: a 1 GiB entry takes 1 MiB. After a
    full flush the compressor starts afresh, so every MiB of zeros deflates to the same bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(MiB)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MiB):
        crc = zlib.crc32(chunk, crc)
    return Member(name, block * (size // MiB) + packer.flush(), size, crc)


def raw_zip(members: list[Member]) -> bytes:
    out, central = io.BytesIO(), io.BytesIO()
    for m in members:
        offset = out.tell()
        name = m.name.encode()
        local_size = m.size if m.local_size is None else m.local_size
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0,
                m.method,
                0,
                0x21,
                m.crc,
                len(m.data),
                local_size,
                len(name),
                0,
            )
        )
        out.write(name + m.data)
        central.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                m.method,
                0,
                0x21,
                m.crc,
                len(m.data),
                m.size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(name)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0)
    )
    return out.getvalue()


# Real office documents, as small as their format allows ----------------------------------------------

MANIFEST = b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
CONTENT = b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'


def odt(*extra: Member, media_type: bytes = ODT_MEDIA_TYPE) -> bytes:
    return raw_zip(
        [
            stored("mimetype", media_type),
            deflated("META-INF/manifest.xml", MANIFEST),
            deflated("content.xml", CONTENT),
            *extra,
        ]
    )


def ooxml(main_part: str, *extra: Member, content_types: bytes = b"<Types/>") -> bytes:
    return raw_zip(
        [deflated("[Content_Types].xml", content_types), deflated(main_part, b"<document/>"), *extra]
    )


# Fixtures -------------------------------------------------------------------------------------------


@pytest.fixture
def proposal(challenge, owner):
    org = factories.organisation(owner)
    draft = drafts_services.proposal_create(
        by=owner, organisation=org, challenge=challenge, title="Usulan", requested_amount=10_000_000_00
    )
    return factories.complete_proposal(draft, by=owner)


def attach(proposal, owner, content: bytes, name: str) -> ProposalAttachment:
    return attachments_services.proposal_attachment_add(
        proposal=proposal, by=owner, upload=SimpleUploadedFile(name, content, "application/octet-stream")
    )


def refused(proposal, owner, content: bytes, name: str) -> str:
    """The message a refused upload gets; nothing is stored."""
    with pytest.raises(DomainError) as refusal:
        attach(proposal, owner, content, name)
    assert not ProposalAttachment.objects.exists()
    return refusal.value.message


def check(content: bytes, name: str) -> str:
    """The content type the upload check every service runs (proposal attachments, milestone
    evidence) gives a file; without a proposal, so the many cases below stay quick."""
    return attachments.check_upload(
        SimpleUploadedFile(name, content, "application/octet-stream")
    ).content_type


def refused_by_check(content: bytes, name: str) -> str:
    with pytest.raises(DomainError) as refusal:
        check(content, name)
    return refusal.value.message


@pytest.fixture(scope="module")
def gigabyte_of_zeros() -> Member:
    """The probe's bomb: 1 GiB of zeros that deflate to about 1 MiB."""
    return deflated_zeros("mimetype", GiB)


def peak_memory_of(action) -> int:
    tracemalloc.start()
    try:
        action()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


# 1. Zip bombs ------------------------------------------------------------------------------------------


def test_a_zip_bomb_posing_as_an_odt_is_refused_without_being_inflated(proposal, owner, gigabyte_of_zeros):
    bomb = raw_zip(
        [gigabyte_of_zeros, deflated("META-INF/manifest.xml", MANIFEST), deflated("content.xml", CONTENT)]
    )
    assert len(bomb) < 2 * MiB
    messages = []

    def upload():
        messages.append(refused(proposal, owner, bomb, "proposal.odt"))

    peak = peak_memory_of(upload)
    assert "would unpack to 1.0\xa0GB" in messages[0] and "zip bomb" in messages[0]
    # Memory an operator would notice: the 1 GiB is never inflated, the 1 MiB upload is read
    # once at most (the central directory is parsed by the standard library).
    assert peak < 8 * MiB, peak


def test_the_refusal_is_shown_in_indonesian_on_the_proposal_page(client, proposal, owner, gigabyte_of_zeros):
    bomb = raw_zip([gigabyte_of_zeros, deflated("content.xml", CONTENT)])
    client.force_login(owner)
    response = client.post(
        f"/workspace/proposals/{proposal.pk}/attachments/",
        {"file": SimpleUploadedFile("proposal.odt", bomb, "application/vnd.oasis.opendocument.text")},
    )
    assert response.status_code == 400
    english = (
        "This archive is refused: its entry “%(name)s” would unpack to %(size)s, more than any "
        "office document needs (zip bomb)."
    )
    with translation.override("id"):
        expected = gettext(english) % {"name": "mimetype", "size": filesizeformat(GiB)}
    assert gettext(english) != indonesian(english)  # there is an Indonesian message
    assert expected in response.text
    assert not ProposalAttachment.objects.exists()


def test_an_entry_compressed_like_a_bomb_is_refused_by_its_ratio():
    # 40 MiB is below the per-entry limit; 1000 times compressed is not a document.
    message = refused_by_check(odt(deflated_zeros("Pictures/scan.png", 40 * MiB)), "proposal.odt")
    assert "its entry “Pictures/scan.png” is compressed" in message and "zip bomb" in message


def test_a_central_directory_that_understates_an_entry_is_refused(proposal, owner):
    """The central directory says 2 KB, the deflated data holds 64 MiB: a reader that trusted the
    declared size for its memory budget would inflate all of it."""
    liar = deflated_zeros("content.xml", 64 * MiB)
    liar.size = 2048
    content = raw_zip([stored("mimetype", ODT_MEDIA_TYPE), deflated("META-INF/manifest.xml", MANIFEST), liar])
    messages = []
    peak = peak_memory_of(lambda: messages.append(refused(proposal, owner, content, "proposal.odt")))
    assert messages == ["This office document is damaged or is not a real office document."]
    assert peak < 8 * MiB, peak


def test_a_local_header_that_disagrees_with_the_central_directory_is_refused(proposal, owner):
    """A reader that follows local headers (as unzip tools do) would see another file than the
    one checked."""
    mimetype = stored("mimetype", ODT_MEDIA_TYPE)
    content = deflated("content.xml", CONTENT)
    content.local_size = GiB
    archive = raw_zip([mimetype, deflated("META-INF/manifest.xml", MANIFEST), content])
    assert refused(proposal, owner, archive, "proposal.odt") == (
        "This office document is damaged or is not a real office document."
    )


def test_entries_packed_by_methods_that_inflate_without_bound_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert refused_by_check(buffer.getvalue(), "proposal.docx") == (
        "This office document is damaged or is not a real office document."
    )


def test_milestone_evidence_is_checked_the_same_way(challenge, owner, official, finance, gigabyte_of_zeros):
    factories.allocation(challenge, finance=finance, amount=50_000_000_00, idempotency_key="dpa-uploads")
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=30_000_000_00)
    award = factories.awarded_proposal(proposal, official=official, amount=30_000_000_00, accepted_by=owner)
    milestone = award.milestones.order_by("position").first()
    bomb = raw_zip([gigabyte_of_zeros, deflated("content.xml", CONTENT)])
    with pytest.raises(DomainError, match="zip bomb"):
        determinations_services.milestone_report(
            milestone=milestone,
            by=owner,
            report="Uji coba selesai.",
            files=[SimpleUploadedFile("laporan.odt", bomb, ODT_TYPE)],
        )
    malware = odt(stored("payload.exe", b"MZ\x90\x00" + bytes(60)))
    with pytest.raises(DomainError, match="program, a script or macros"):
        determinations_services.milestone_report(
            milestone=milestone,
            by=owner,
            report="Uji coba selesai.",
            files=[SimpleUploadedFile("laporan.odt", malware, ODT_TYPE)],
        )
    milestone.refresh_from_db()
    assert milestone.status == "planned" and not milestone.evidence.exists()
    # A real document is still accepted.
    determinations_services.milestone_report(
        milestone=milestone,
        by=owner,
        report="Uji coba selesai.",
        files=[SimpleUploadedFile("laporan.odt", odt(), ODT_TYPE)],
    )
    assert milestone.evidence.get().content_type == ODT_TYPE


# 16. Any ZIP passed as an office document ------------------------------------------------------------


def test_the_probes_zip_with_a_program_and_a_web_page_is_not_an_odt(proposal, owner):
    probe = raw_zip(
        [
            stored("mimetype", ODT_MEDIA_TYPE),
            deflated("payload.exe", b"MZ\x90\x00" + bytes(200)),
            deflated("index.html", b"<html><script>location='https://evil.example'</script></html>"),
        ]
    )
    assert refused(proposal, owner, probe, "proposal.odt") == (
        "This document carries a program, a script or macros (“payload.exe”); documents with "
        "programs, scripts or macros cannot be attached. Save it without them and try again."
    )
    without_the_program = raw_zip(
        [stored("mimetype", ODT_MEDIA_TYPE), deflated("Pictures/cover.png", b"\x89PNG\r\n\x1a\n")]
    )
    assert refused(proposal, owner, without_the_program, "proposal.odt") == (
        "This file is named .odt but is not a valid OpenDocument Text document."
    )


@pytest.mark.parametrize(
    "content, name",
    [
        (odt(stored("payload.exe", b"MZ\x90\x00" + bytes(60))), "proposal.odt"),
        (odt(deflated("index.html", b"<p>hi</p>")), "proposal.odt"),
        (odt(deflated("Scripts/javascript/run.js", b"app.alert(1)")), "proposal.odt"),
        (odt(deflated("Basic/Standard/Module1.xml", b"<script:module/>")), "proposal.odt"),
        (ooxml("word/document.xml", deflated("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")), "proposal.docx"),
        (ooxml("xl/workbook.xml", deflated("xl/run.vbs", b"MsgBox 1")), "rab.xlsx"),
        # Programs by their first bytes, whatever they are called.
        (odt(deflated("Pictures/photo.png", b"MZ\x90\x00" + bytes(60))), "proposal.odt"),
        (ooxml("word/document.xml", deflated("word/media/image1.png", b"\x7fELF\x02\x01")), "proposal.docx"),
        (ooxml("ppt/presentation.xml", deflated("ppt/media/a.jpeg", b"#!/bin/sh\nrm -rf /")), "deck.pptx"),
        (odt(deflated("Pictures/page.png", b"\n <!DOCTYPE html><html>")), "proposal.odt"),
        # A macro-enabled workbook renamed to .xlsx.
        (
            ooxml(
                "xl/workbook.xml",
                content_types=b'<Types><Override ContentType="application/'
                b'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
            ),
            "rab.xlsx",
        ),
    ],
)
def test_programs_scripts_and_macros_inside_are_refused(content, name):
    assert "program, a script or macros" in refused_by_check(content, name)


@pytest.mark.parametrize(
    "content, name, message",
    [
        # OpenDocument: mimetype first and stored, the right media type, manifest and content.
        (
            raw_zip(
                [
                    deflated("content.xml", CONTENT),
                    stored("mimetype", ODT_MEDIA_TYPE),
                    stored("META-INF/manifest.xml", MANIFEST),
                ]
            ),
            "proposal.odt",
            "This file is named .odt but is not a valid OpenDocument Text document.",
        ),
        (
            raw_zip(
                [
                    deflated("mimetype", ODT_MEDIA_TYPE),
                    deflated("META-INF/manifest.xml", MANIFEST),
                    deflated("content.xml", CONTENT),
                ]
            ),
            "proposal.odt",
            "This file is named .odt but is not a valid OpenDocument Text document.",
        ),
        (
            raw_zip([stored("mimetype", ODT_MEDIA_TYPE), deflated("content.xml", CONTENT)]),
            "proposal.odt",
            "This file is named .odt but is not a valid OpenDocument Text document.",
        ),
        (
            odt(media_type=b"application/vnd.oasis.opendocument.spreadsheet"),
            "proposal.odt",
            "This file is named .odt but is not a valid OpenDocument Text document.",
        ),
        (odt(media_type=b"text/html"), "arsip.zip", "This ZIP archive is not an office document."),
        # Office Open XML: the content types and the main part of the format the name claims.
        (
            ooxml("xl/workbook.xml"),
            "proposal.docx",
            "This file is named .docx but is not a valid Word document.",
        ),
        (
            raw_zip([deflated("word/document.xml", b"<document/>")]),
            "proposal.docx",
            "This file is named .docx but is not a valid Word document.",
        ),
        (
            ooxml("word/other.xml"),
            "proposal.docx",
            "This file is named .docx but is not a valid Word document.",
        ),
        (
            raw_zip([deflated("notes.txt", b"hello")]),
            "arsip.zip",
            "This ZIP archive is not an office document.",
        ),
    ],
)
def test_a_zip_without_the_structure_of_its_format_is_refused(content, name, message):
    assert refused_by_check(content, name) == message


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (odt(deflated("Pictures/photo.png", b"\x89PNG\r\n\x1a\n" + bytes(60))), "rencana.odt", ODT_TYPE),
        (
            odt(media_type=b"application/vnd.oasis.opendocument.spreadsheet"),
            "rab.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            ooxml("word/document.xml", deflated("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0")),
            "proposal.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            ooxml("xl/workbook.xml"),
            "rab.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            ooxml("ppt/presentation.xml"),
            "deck.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        # A name that claims no office format lets the content decide, as before.
        (
            ooxml("word/document.xml"),
            "proposal.bin",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_real_office_documents_are_still_accepted(content, name, expected):
    assert check(content, name) == expected


def test_a_document_written_by_the_standard_library_is_accepted(proposal, owner):
    """Through the service: it is stored, as an OpenDocument text."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MEDIA_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("content.xml", CONTENT * 500)
        archive.writestr("styles.xml", b"<styles/>" * 2000)
    assert attach(proposal, owner, buffer.getvalue(), "laporan.odt").content_type == ODT_TYPE


# 12. Blind review: PDFs without their author ----------------------------------------------------------

AUTHOR = "Rina Wulandari"
CREATOR = "Koperasi Nusantara Sejahtera"
XMP_CREATOR = "Rina dari Koperasi"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
    f"{XMP_CREATOR}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)
PAGES = ["Rencana kerja: antrean puskesmas lewat SMS", "Anggaran: Rp 20.000.000"]


def pdf_with_metadata() -> bytes:
    pdf = FPDF()
    pdf.set_author(AUTHOR)
    pdf.set_creator(CREATOR)
    pdf.set_title(f"Proposal {CREATOR}")
    pdf.set_xmp_metadata(XMP)
    pdf.set_font("helvetica", size=12)
    for text in PAGES:
        pdf.add_page()
        pdf.cell(text=text)
    return bytes(pdf.output())


@pytest.fixture
def review_of(official, challenge):
    """A proposal with ``pdf`` attached, in review by an assigned reviewer; ``blind`` sets the
    challenge's blind review. Returns (applicant, reviewer, proposal, attachment, assignment)."""

    def build(pdf: bytes, *, blind: bool):
        ChallengePage.objects.filter(pk=challenge.pk).update(blind_review=blind)
        challenge.refresh_from_db()
        applicant = factories.UserFactory()
        proposal = drafts_services.proposal_create(
            by=applicant,
            organisation=factories.organisation(applicant, name=CREATOR),
            challenge=challenge,
            title="Antrean puskesmas lewat SMS",
            requested_amount=20_000_000_00,
        )
        factories.complete_proposal(proposal, by=applicant)
        attachment = attach(proposal, applicant, pdf, f"Profil {CREATOR}.pdf")
        submission_services.proposal_submit(proposal=proposal, by=applicant)
        factories.send_to_review(proposal, official)
        reviewer = factories.UserFactory(roles=["reviewer"])
        assignment = factories.assign(proposal, reviewer)
        return applicant, reviewer, proposal, attachment, assignment

    return build


def download(client, user, url: str):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_blind_reviewer_downloads_the_pdf_without_its_author(client, review_of):
    original = pdf_with_metadata()
    assert AUTHOR.encode() in original and XMP_CREATOR.encode() in original  # what the test is about
    applicant, reviewer, proposal, attachment, assignment = review_of(original, blind=True)

    copy = download(client, reviewer, f"/workspace/reviews/{assignment.pk}/attachments/{attachment.pk}/")
    for identity in (AUTHOR, CREATOR, XMP_CREATOR, "Koperasi", "Rina"):
        assert identity.encode() not in copy, identity
    reader = PdfReader(io.BytesIO(copy))
    assert not reader.metadata  # no /Info: no /Author, /Creator, /Producer, /Title
    assert reader.xmp_metadata is None and "/Metadata" not in reader.trailer["/Root"]
    # The content is intact: every page, with its text.
    assert [page.extract_text() for page in reader.pages] == PAGES

    # The applicant's own download is the file they uploaded, byte for byte.
    own = download(client, applicant, f"/workspace/proposals/{proposal.pk}/attachments/{attachment.pk}/")
    assert own == original


def test_an_open_reviewer_downloads_the_file_as_uploaded(client, review_of):
    original = pdf_with_metadata()
    _, reviewer, _, attachment, assignment = review_of(original, blind=False)
    assert (
        download(client, reviewer, f"/workspace/reviews/{assignment.pk}/attachments/{attachment.pk}/")
        == original
    )


def test_a_pdf_that_cannot_be_cleaned_is_not_served_in_a_blind_review(client, review_of):
    unreadable = b"%PDF-1.7\n" + f"/Author ({AUTHOR})\n".encode() + b"garbage" * 50
    _, reviewer, _, attachment, assignment = review_of(unreadable, blind=True)
    client.force_login(reviewer)
    url = f"/workspace/reviews/{assignment.pk}/attachments/{attachment.pk}/"
    response = client.get(url, follow=True)
    assert AUTHOR not in response.text
    assert response.redirect_chain[0][0] == f"/workspace/reviews/{assignment.pk}/"
    message = indonesian(
        "Attachment %(number)s could not be opened to remove its author details, so it is not "
        "shown in this blind review. Ask the official in charge for a copy."
    ) % {"number": 1}
    assert message in response.text


def test_an_archive_with_more_entries_than_a_document_has_is_refused():
    crowd = odt(*(stored(f"Pictures/{n}.txt", b"") for n in range(3000)))
    assert refused_by_check(crowd, "proposal.odt") == (
        "This archive has 3003 entries; an office document has at most 3000."
    )


# Editors' documents (Wagtail) ---------------------------------------------------------------------------


def test_an_editor_cannot_publish_a_zip_with_a_program_as_a_word_document(client):
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))

    def add(content: bytes, name: str):
        return client.post(
            "/admin/documents/add/",
            {
                "title": "Kerangka acuan",
                "collection": Collection.get_first_root_node().pk,
                "file": SimpleUploadedFile(name, content, "application/octet-stream"),
            },
        )

    malware = ooxml("word/document.xml", deflated("word/media/setup.exe", b"MZ\x90\x00" + bytes(60)))
    response = add(malware, "kerangka-acuan.docx")
    assert response.status_code == 200 and not Document.objects.exists()
    assert "setup.exe" in response.text  # named in the form's error
    response = add(odt(), "kerangka-acuan.docx")
    assert not Document.objects.exists()
    assert ".docx" in response.text
    assert add(ooxml("word/document.xml"), "kerangka-acuan.docx").status_code == 302
    assert Document.objects.get().file.name.endswith(".docx")
