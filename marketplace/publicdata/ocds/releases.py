"""OCDS 1.1.5 releases of a challenge's contracting process, built from what is public.

One ``ocid`` per challenge: ``OCDS_PREFIX`` + the region's slug + "-" + the challenge's id. Each
release says what changed at its date, and the same state always gives the same releases (ids are
made from the rows they describe):

=========================================  ==================  ==================================
release id                                 tag                 when
=========================================  ==================  ==================================
``<ocid>-planning-<ledger transaction>``   planning            a budget allocation (APBD) is
                                                               recorded (budget: the sum so far)
``<ocid>-tender-<publication>``            tender              the challenge is first published
``<ocid>-tender-<publication>``            tenderUpdate        a later revision is published
``<ocid>-results``                         tenderUpdate        the results are published
``<ocid>-award-<award>``                   award               the same moment, one per award
``<ocid>-award-<award>-cancelled``         awardUpdate         the grantee declines afterwards
``<ocid>-contract-<award>``                contract            the grantee accepts the agreement
``<ocid>-replan-<re-plan>``                contractUpdate      an official re-plans milestones
``<ocid>-milestone-<milestone>``           implementation      an official approves a milestone
``<ocid>-payment-<disbursement>``          implementation      a payment is made
=========================================  ==================  ==================================

Nothing of an award (nor the money it commits) is dated before its challenge's results are
published: such a release is dated at the publication. Amounts are whole rupiah (the ledger keeps
minor units), dates carry the region's offset (WIB, WITA, WIT). The text is the challenge's own
(Indonesian), whatever language the request asked for."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from marketplace.awards.models import Award, Milestone
from marketplace.challenges.models import ChallengePage, Incentive
from marketplace.publicdata.ocds.sources import Process
from payments import api as payments_api

if TYPE_CHECKING:
    from payments.models import Disbursement

INCENTIVE_LABELS = {
    "grant": "Hibah",
    "prize": "Hadiah",
    "pilot_contract": "Kontrak uji coba",
    "in_kind": "Dukungan natura",
    "levy_relief": "Keringanan retribusi daerah",
}
# Offers that are money the fund pays; in-kind support and levy relief are not.
MONEY_KINDS = {Incentive.Kind.GRANT, Incentive.Kind.PRIZE, Incentive.Kind.PILOT}
# The identifier scheme of an Indonesian business (Nomor Induk Berusaha, issued through OSS).
NIB_SCHEME = "ID-NIB"


def ocid_for(challenge: ChallengePage) -> str:
    return f"{settings.OCDS_PREFIX}{challenge.agency.region.slug}-{challenge.pk}"


def value(minor: int, currency: str = "IDR") -> dict[str, Any]:
    """OCDS money: whole rupiah as a number (the ledger keeps minor units, rupiah × 100)."""
    amount: int | float = minor // 100 if minor % 100 == 0 else minor / 100
    return {"amount": amount, "currency": currency}


@dataclass(order=True)
class _Event:
    """A release waiting to be written: sorted by date, then by the order of the process."""

    date: datetime.datetime
    rank: int
    sequence: int
    build: Any = field(compare=False)


class _Builder:
    """The releases of one process, oldest first, each party carrying every role it has had so
    far (a compiled release keeps the roles of the last release that names the party)."""

    def __init__(self, process: Process, base_url: str):
        self.process = process
        self.challenge = process.challenge
        self.region = self.challenge.agency.region
        self.zone = self.region.zoneinfo
        self.ocid = ocid_for(self.challenge)
        self.base_url = base_url.rstrip("/")
        self.roles: dict[str, list[str]] = {}
        self.names: dict[str, dict[str, Any]] = {}
        self.events: list[_Event] = []
        self.results_at = self.challenge.results_published_at

    # Formatting ------------------------------------------------------------------------------

    def date(self, moment: datetime.datetime) -> str:
        return timezone.localtime(moment, self.zone).isoformat(timespec="seconds")

    def end_of_day(self, day: datetime.date) -> str:
        moment = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=self.zone)
        return moment.isoformat(timespec="seconds")

    def party(self, party_id: str, role: str, **details: Any) -> dict[str, Any]:
        roles = self.roles.setdefault(party_id, [])
        if role not in roles:
            roles.append(role)
        self.names.setdefault(party_id, details)
        return {"id": party_id, "name": self.names[party_id]["name"]}

    def parties(self, party_ids: Iterable[str]) -> list[dict[str, Any]]:
        return [
            {"id": pk, **self.names[pk], "roles": list(self.roles[pk])} for pk in dict.fromkeys(party_ids)
        ]

    def release(
        self, suffix: str, moment: datetime.datetime, tags: list[str], body: dict, party_ids: Iterable[str]
    ) -> dict:
        release: dict[str, Any] = {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{suffix}",
            "date": self.date(moment),
            "tag": tags,
            "initiationType": "tender",
            "language": "id",
        }
        release.update(body)
        parties = self.parties(party_ids)
        if parties:
            release["parties"] = parties
        return release

    def agency_party(self, agency_id: int | None, role: str) -> dict[str, Any]:
        """The agency (OPD) a revision names, or the challenge's own."""
        agency = self.process.agencies.get(agency_id or 0) or self.challenge.agency
        return self.party(f"agency-{agency.pk}", role, name=agency.name, address=self.address())

    def address(self) -> dict[str, str]:
        address = {"region": self.region.title, "countryName": "Indonesia"}
        if self.region.province:
            address["region"] = f"{self.region.title}, {self.region.province}"
        return address

    def funder(self, sponsor_id: int | None) -> dict[str, Any] | None:
        """A sponsor the challenge names (CSR, private partners): a funder of the process."""
        sponsor = self.process.sponsors.get(sponsor_id or 0)
        if sponsor is None:
            return None
        details: dict[str, Any] = {"name": sponsor.name}
        if sponsor.website:
            details["details"] = {"url": sponsor.website}
        return self.party(f"sponsor-{sponsor.pk}", "funder", **details)

    def supplier(self, award: Award, role: str) -> dict[str, Any]:
        organisation = award.proposal.organisation
        details: dict[str, Any] = {"name": organisation.name}
        if organisation.nib:
            details["identifier"] = {
                "scheme": NIB_SCHEME,
                "id": organisation.nib,
                "legalName": organisation.name,
            }
        details["details"] = {"url": self.base_url + organisation.get_absolute_url()}
        return self.party(f"organisation-{organisation.pk}", role, **details)

    # Events ----------------------------------------------------------------------------------

    def add(self, moment: datetime.datetime, rank: int, build) -> None:
        self.events.append(_Event(moment, rank, len(self.events), build))

    def public_moment(self, moment: datetime.datetime) -> datetime.datetime:
        """Nothing of an award is dated before its challenge's results are published."""
        return max(moment, self.results_at) if self.results_at else moment

    def collect(self) -> list[dict]:
        process = self.process
        total = 0
        for allocation in process.allocations:
            total += allocation.amount
            self.add(allocation.created_at, 0, self.planning(allocation, total))
        for position, publication in enumerate(process.publications):
            self.add(publication.published_at, 1, self.tender(publication, first=position == 0))
        if self.results_at and process.publications:
            self.add(self.results_at, 2, self.results(self.results_at))
            for award in process.awards:
                self.award_events(award)
        self.events.sort()
        return [event.build() for event in self.events]

    def award_events(self, award: Award) -> None:
        self.add(self.public_moment(award.awarded_at), 3, lambda: self.award(award))
        agreement = getattr(award, "agreement", None)
        if agreement is None or agreement.decided_at is None:
            return
        if agreement.status == "declined":
            self.add(agreement.decided_at, 4, self.award_cancelled(award, agreement.decided_at))
            return
        if agreement.status != "accepted":
            return
        signed_at = agreement.decided_at
        signed_release = self.public_moment(signed_at)
        self.add(signed_release, 4, self.contract(award, signed_at, signed_release))
        replans: dict[datetime.datetime, int] = {}
        for milestone in award.milestones.all():
            for replan in milestone.replans.all():
                if replan.at > signed_release:
                    replans.setdefault(replan.at, replan.pk)
            if milestone.approved_at is not None:
                moment = max(milestone.approved_at, signed_release)
                self.add(moment, 5, self.milestone_met(award, milestone, milestone.approved_at, moment))
            disbursement = milestone.disbursement
            if disbursement is not None and disbursement.status == "paid" and disbursement.paid_at:
                moment = max(disbursement.paid_at, signed_release)
                self.add(
                    moment, 6, self.payment(award, milestone, disbursement, disbursement.paid_at, moment)
                )
        for at, replan_id in replans.items():
            self.add(at, 5, self.replan(award, at, replan_id))

    # Releases --------------------------------------------------------------------------------

    def buyer(self, agency_id: int | None = None) -> dict[str, Any]:
        return self.agency_party(agency_id, "buyer")

    def planning(self, allocation, total: int):
        def build() -> dict:
            buyer = self.buyer()
            budget: dict[str, Any] = {
                "id": f"fund-{self.challenge.pk}",
                "description": "Alokasi APBD untuk dana tantangan",
                "amount": value(total),
                "project": self.challenge.title,
                "projectID": str(self.challenge.pk),
            }
            if allocation.reference:
                budget["source"] = allocation.reference
            body = {"buyer": buyer, "planning": {"budget": budget}}
            return self.release(
                f"planning-{allocation.pk}", allocation.created_at, ["planning"], body, [buyer["id"]]
            )

        return build

    def tender(self, publication, *, first: bool):
        def build() -> dict:
            content = publication.content
            agency_id = content.get("agency")
            buyer = self.buyer(agency_id)
            procuring = self.agency_party(agency_id, "procuringEntity")
            tender = self.tender_section(content, publication.published_at)
            tender["procuringEntity"] = procuring
            body = {"buyer": buyer, "tender": tender}
            tags = ["tender"] if first else ["tenderUpdate"]
            funders = [self.funder(link.get("sponsor")) for link in content.get("sponsors") or []]
            party_ids = [buyer["id"], *(funder["id"] for funder in funders if funder)]
            return self.release(f"tender-{publication.key}", publication.published_at, tags, body, party_ids)

        return build

    def tender_section(self, content: dict, moment: datetime.datetime) -> dict[str, Any]:
        opens_at = _parse(content.get("opens_at"))
        closes_at = _parse(content.get("closes_at"))
        qa_closes_at = _parse(content.get("qa_closes_at"))
        incentives = content.get("incentives") or []
        criteria = content.get("criteria") or []
        url = self.base_url + reverse("marketplace:challenge_detail", kwargs={"slug": self.challenge.slug})
        tender: dict[str, Any] = {
            "id": f"challenge-{self.challenge.pk}",
            "title": content.get("title") or self.challenge.title,
            "description": content.get("summary") or "",
            "status": self.tender_status(opens_at, moment),
            "procurementMethod": "open",
            "procurementMethodDetails": "Tantangan inovasi terbuka dengan insentif",
            "mainProcurementCategory": "services",
            "awardCriteria": "ratedCriteria",
            "submissionMethod": ["electronicSubmission"],
            "submissionMethodDetails": url,
            "documents": [
                {
                    "id": "challenge-page",
                    "documentType": "tenderNotice",
                    "title": content.get("title") or self.challenge.title,
                    "url": url,
                    "format": "text/html",
                    "language": "id",
                }
            ],
        }
        money = sum(int(i.get("amount") or 0) for i in incentives if i.get("kind") in MONEY_KINDS)
        if money:
            tender["value"] = value(money)
        items = [self.item(incentive, n) for n, incentive in enumerate(incentives, start=1)]
        if items:
            tender["items"] = items
        if criteria:
            tender["awardCriteriaDetails"] = "\n".join(
                f"{c.get('name', '')} ({c.get('weight', 0)}%)"
                + (f": {c['description']}" if c.get("description") else "")
                for c in criteria
            )
        period: dict[str, str] = {}
        if opens_at:
            period["startDate"] = self.date(opens_at)
        if closes_at:
            period["endDate"] = self.date(closes_at)
        if period:
            tender["tenderPeriod"] = period
        enquiries_end = qa_closes_at or closes_at
        if enquiries_end:
            tender["enquiryPeriod"] = {"endDate": self.date(enquiries_end)}
        eligibility = self.eligibility(content)
        if eligibility:
            tender["eligibilityCriteria"] = eligibility
        return tender

    def tender_status(self, opens_at: datetime.datetime | None, moment: datetime.datetime) -> str:
        if self.results_at and moment >= self.results_at:
            return "complete"  # a revision published after the results keeps them
        return "planned" if opens_at and moment < opens_at else "active"

    def item(self, incentive: dict, position: int) -> dict[str, Any]:
        kind = incentive.get("kind") or ""
        label = INCENTIVE_LABELS.get(kind, kind)
        parts = [label]
        if incentive.get("description"):
            parts.append(incentive["description"])
        if kind in (Incentive.Kind.GRANT, Incentive.Kind.PRIZE) and (incentive.get("winners") or 1) > 1:
            parts.append(f"untuk {incentive['winners']} pemenang")
        if kind == Incentive.Kind.PILOT and incentive.get("duration_months"):
            parts.append(f"{incentive['duration_months']} bulan")
        if kind == Incentive.Kind.LEVY_RELIEF:
            parts.append(" ".join(p for p in (incentive.get("levy_name"), incentive.get("relief")) if p))
        sponsor = self.process.sponsors.get(incentive.get("provider") or 0)
        provider = sponsor.name if sponsor else incentive.get("provider_name")
        if provider:
            parts.append(f"oleh {provider}")
        item: dict[str, Any] = {
            "id": f"incentive-{incentive.get('pk') or position}",
            "description": ": ".join([parts[0], ", ".join(p for p in parts[1:] if p)])
            if len(parts) > 1
            else parts[0],
        }
        amount = int(incentive.get("amount") or 0)
        if kind == Incentive.Kind.IN_KIND and incentive.get("quantity"):
            item["quantity"] = incentive["quantity"]
            item["unit"] = {"name": incentive.get("unit") or "unit"}
        else:
            item["quantity"] = 1
            item["unit"] = {"name": label}
            if amount:
                item["unit"]["value"] = value(amount, incentive.get("currency") or "IDR")
        return item

    def eligibility(self, content: dict) -> str:
        lines = []
        text = plain_text(content.get("eligibility") or "")
        if text:
            lines.append(text)
        kinds = content.get("eligible_kinds") or []
        if kinds:
            lines.append("Jenis organisasi: " + ", ".join(str(kind) for kind in kinds))
        if content.get("must_be_registered_in_region"):
            lines.append(f"Terdaftar di {self.region.title}")
        if content.get("consortium_allowed") is False:
            lines.append("Tanpa konsorsium")
        if content.get("max_requested_amount"):
            most = payments_api.format_money(int(content["max_requested_amount"]))
            lines.append(f"Permintaan dana paling banyak {most}")
        return "\n".join(lines)

    def results(self, published_at: datetime.datetime):
        def build() -> dict:
            buyer = self.buyer()
            period = {"endDate": self.date(published_at)}
            if self.process.awards:
                period["startDate"] = self.date(min(a.awarded_at for a in self.process.awards))
            tender = {"id": f"challenge-{self.challenge.pk}", "status": "complete", "awardPeriod": period}
            return self.release("results", published_at, ["tenderUpdate"], {"tender": tender}, [buyer["id"]])

        return build

    def award(self, award: Award) -> dict:
        supplier = self.supplier(award, "supplier")
        moment = self.public_moment(award.awarded_at)
        section: dict[str, Any] = {
            "id": f"award-{award.pk}",
            "title": award.proposal.title,
            "status": "active",
            "date": self.date(award.awarded_at),
            "value": value(award.amount, award.currency),
            "suppliers": [supplier],
            "documents": [
                {
                    "id": "project-page",
                    "documentType": "awardNotice",
                    "url": self.base_url + award.get_absolute_url(),
                    "format": "text/html",
                    "language": "id",
                }
            ],
        }
        if award.conditions:
            section["description"] = award.conditions
        return self.release(f"award-{award.pk}", moment, ["award"], {"awards": [section]}, [supplier["id"]])

    def award_cancelled(self, award: Award, declined_at: datetime.datetime):
        def build() -> dict:
            supplier = self.supplier(award, "supplier")
            section = {"id": f"award-{award.pk}", "status": "cancelled"}
            return self.release(
                f"award-{award.pk}-cancelled",
                declined_at,
                ["awardUpdate"],
                {"awards": [section]},
                [supplier["id"]],
            )

        return build

    def milestones_at(self, award: Award, moment: datetime.datetime) -> list[dict[str, Any]]:
        """The award's milestones as they stood at ``moment``: later re-plans undone."""
        result = []
        for milestone in award.milestones.all():
            due = milestone.due_date
            for replan in reversed(milestone.replans.all()):
                if replan.at > moment:
                    due = replan.old_due_date
            entry: dict[str, Any] = {
                "id": f"milestone-{milestone.pk}",
                "title": milestone.title,
                "type": "delivery",
                "dueDate": self.end_of_day(due),
                "status": "scheduled",
            }
            if milestone.approved_at is not None and milestone.approved_at <= moment:
                entry.update(status="met", dateMet=self.date(milestone.approved_at))
            result.append(entry)
        return result

    def contract(self, award: Award, signed_at: datetime.datetime, moment: datetime.datetime):
        def build() -> dict:
            buyer = self.buyer()
            supplier = self.supplier(award, "supplier")
            milestones = self.milestones_at(award, moment)
            period = {"startDate": self.date(signed_at)}
            section: dict[str, Any] = {
                "id": f"contract-{award.pk}",
                "awardID": f"award-{award.pk}",
                "title": award.proposal.title,
                "status": "active",
                "value": value(award.amount, award.currency),
                "dateSigned": self.date(signed_at),
                "period": period,
            }
            if milestones:
                period["endDate"] = max(m["dueDate"] for m in milestones)
                section["milestones"] = milestones
            party_ids = [buyer["id"], supplier["id"]]
            return self.release(
                f"contract-{award.pk}", moment, ["contract"], {"contracts": [section]}, party_ids
            )

        return build

    def replan(self, award: Award, at: datetime.datetime, replan_id: int):
        def build() -> dict:
            milestones = self.milestones_at(award, at)
            section = {
                "id": f"contract-{award.pk}",
                "awardID": f"award-{award.pk}",
                "milestones": milestones,
                "period": {"endDate": max(m["dueDate"] for m in milestones)},
            }
            return self.release(f"replan-{replan_id}", at, ["contractUpdate"], {"contracts": [section]}, [])

        return build

    def milestone_met(
        self, award: Award, milestone: Milestone, approved_at: datetime.datetime, moment: datetime.datetime
    ):
        def build() -> dict:
            entry = {"id": f"milestone-{milestone.pk}", "status": "met", "dateMet": self.date(approved_at)}
            section = {"id": f"contract-{award.pk}", "awardID": f"award-{award.pk}", "milestones": [entry]}
            return self.release(
                f"milestone-{milestone.pk}", moment, ["implementation"], {"contracts": [section]}, []
            )

        return build

    def payment(
        self,
        award: Award,
        milestone: Milestone,
        disbursement: Disbursement,
        paid_at: datetime.datetime,
        moment: datetime.datetime,
    ):
        def build() -> dict:
            payer = self.agency_party(None, "payer")
            payee = self.supplier(award, "payee")
            transaction = {
                "id": f"payment-{disbursement.pk}",
                "source": self.base_url + reverse("marketplace:transparency"),
                "date": self.date(paid_at),
                "value": value(disbursement.amount, disbursement.currency),
                "payer": payer,
                "payee": payee,
            }
            entry = {"id": f"milestone-{milestone.pk}", "status": "met"}
            if milestone.approved_at:
                entry["dateMet"] = self.date(milestone.approved_at)
            section = {
                "id": f"contract-{award.pk}",
                "awardID": f"award-{award.pk}",
                "milestones": [entry],
                "implementation": {"transactions": [transaction]},
            }
            party_ids = [payer["id"], payee["id"]]
            return self.release(
                f"payment-{disbursement.pk}", moment, ["implementation"], {"contracts": [section]}, party_ids
            )

        return build


def plain_text(rich: str) -> str:
    """Rich text as plain lines: each paragraph and list item on its own line."""
    text = strip_tags(re.sub(r"</(p|li|h[1-6])>|<br\s*/?>", "\n", rich))
    lines = (html.unescape(line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _parse(raw) -> datetime.datetime | None:
    if not raw:
        return None
    if isinstance(raw, datetime.datetime):
        return raw
    parsed = parse_datetime(str(raw))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def process_releases(process: Process, *, base_url: str) -> list[dict]:
    """Every release of the process, oldest first (ties keep the order of the table above)."""
    return _Builder(process, base_url).collect()
