"""Groups 4 to 7, paths the other tests did not walk: the Excel export of group 4's registers masks ID
numbers, phones and bank accounts for roles without the right; the supervision teams' visits to a
social organisation (group 5) and to an organisation receiving donations (group 6) get their
group's checklist and name the organisation in the inspection report."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from civaffairs.accounts.roles import Actor, Role
from civaffairs.db.database import Database
from civaffairs.exchange import export
from civaffairs.groups import load_all
from civaffairs.groups.assistance.grants import RESCUES
from civaffairs.groups.assistance.households import HOUSEHOLDS, MEMBERS
from civaffairs.records import service as records
from tests.helpers import fresh_id
from tests.test_assistance_grants import World

load_all()

from civaffairs.groups.donations import fields as donations  # noqa: E402
from civaffairs.groups.social_organisations import fields as social  # noqa: E402
from civaffairs.supervision import service as supervision  # noqa: E402
from civaffairs.supervision.fields import TEAMS  # noqa: E402
from tests.test_social_organisations import code_of  # noqa: E402

CLERK = Actor("assist", "救助股干事", Role.MEMBER, frozenset({4}))


def _cells(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path).active
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_group_4_exports_are_masked_for_roles_without_the_right(db: Database, viewer: Actor,
                                                                institutions_member: Actor, tmp_path: Path) -> None:
    world = World(db, CLERK)
    rescued = fresh_id(date(1980, 11, 3), True)
    with db.write() as s:
        records.create(s, CLERK, RESCUES, {"kind": "stranded", "found_on": date(2021, 10, 20), "place_found": "火车站",
                                           "name": "赵国平", "id_number": rescued, "help_given": ["food"],
                                           "outcome": "returned_home"})
    secrets = [world.head_id, "13909381234", "6228480123456789018", rescued]
    for outsider in (viewer, institutions_member):
        for spec in (HOUSEHOLDS, MEMBERS, RESCUES):
            out = tmp_path / f"{outsider.username}-{spec.key}.xlsx"
            with db.write() as s:
                result = export.export_register(s, outsider, spec, out)
            assert result.rows >= 1 and result.masked, spec.key
            text = "\n".join(_cells(out))
            for secret in secrets:
                assert secret not in text, (spec.key, secret)
            if spec is HOUSEHOLDS:
                assert "139****1234" in text and "9018" in text  # masked, not left out
    # The group's own clerk exports them in full.
    out = tmp_path / "clerk.xlsx"
    with db.write() as s:
        assert export.export_register(s, CLERK, HOUSEHOLDS, out).masked == ()
    text = "\n".join(_cells(out))
    assert world.head_id in text and "6228480123456789018" in text


@pytest.mark.parametrize("which", ["social_organisation", "donation_organisation"])
def test_supervision_visits_a_group_5_or_6_organisation_with_its_checklist(db: Database, admin: Actor,
                                                                           which: str) -> None:
    with db.write() as s:
        if which == "social_organisation":
            target = records.create(s, admin, social.ORGANISATIONS, {
                "name": "麦积区书法家协会", "kind": social.ASSOCIATION, "credit_code": code_of(social.ASSOCIATION),
                "registration_authority": "天水市麦积区民政局"}).id
            kind = social.SUPERVISION_TARGET
        else:
            target = records.create(s, admin, donations.ORGANISATIONS, {
                "name": "麦积区慈善协会", "kind": "charity_association", "phone": "0938-2735678"}).id
            kind = donations.SUPERVISION_TARGET
        team = records.create(s, admin, TEAMS, {"name": "第一督查组", "leader_name": "王建国",
                                                "leader_post": "副局长"}).id
        visit = supervision.create_visit(s, admin, {"team_id": team, "day": date(2021, 10, 20),
                                                    "target_kind": kind.key, kind.field: target,
                                                    "inspectors": "王建国、李娜", "findings": ""}).id
    with db.read() as s:
        lines = supervision.checklist(s, visit)
        report = supervision.inspection_report(s, admin, visit)
    assert [line.item_code for line in lines] == [item.code for item in kind.checklist]
    assert len(lines) == len(kind.checklist) >= 1
    assert report.target == ("麦积区书法家协会" if which == "social_organisation" else "麦积区慈善协会")
    assert len(report.checklist) == len(kind.checklist)


def test_group_6_report_tables_per_channel_purpose_and_item_equal_the_records(db: Database, admin: Actor) -> None:
    from civaffairs.groups.donations import figures as G
    from civaffairs.reports.figures import Period
    from tests.test_donations import _allocate, _batch, _create, _enterprise, _handover, _lot, _money, _organisation

    F = donations
    organisation = _organisation(db, admin)
    firm = _enterprise(db, admin)
    bank = _batch(db, admin, organisation, count=2, total="3000")
    _money(db, admin, bank, firm, "2000", "prevention_supplies")
    _money(db, admin, bank, firm, "1000", F.UNDESIGNATED)
    cash = _batch(db, admin, organisation, channel=F.CASH, count=1, total="500")
    _money(db, admin, cash, firm, "500", F.UNDESIGNATED)
    before = _batch(db, admin, organisation, day=date(2021, 9, 30), count=1, total="7777")
    _money(db, admin, before, firm, "7777", F.UNDESIGNATED)
    _create(db, admin, F.DISBURSEMENTS, organisation_id=organisation, day=date(2021, 10, 28),
            purpose="prevention_supplies", amount="300", recipient="天水和顺医药连锁有限公司", use="采购医用口罩",
            approved_by="区疫情防控领导小组")
    lot = _lot(db, admin, organisation, firm, 1000)
    _allocate(db, admin, _handover(db, admin, lot, 600), 250)
    with db.read() as s:
        section = G.report_section(s, admin, Period(date(2021, 10, 1), date(2021, 11, 5)))
        early = G.report_section(s, admin, Period(date(2021, 10, 1), date(2021, 10, 10)))
    by_channel = {c.code: row[1:] for c, row in zip(F.CHANNELS, section.tables[0].rows, strict=True)}
    assert by_channel[F.BANK_TRANSFER] == (2, Decimal("3000.00")) and by_channel[F.CASH] == (1, Decimal("500.00"))
    by_purpose = {c.code: row[1:] for c, row in zip(F.PURPOSES, section.tables[1].rows, strict=True)}
    assert by_purpose["prevention_supplies"] == (1, Decimal("2000.00"), Decimal("300.00"), Decimal("1700.00"))
    assert by_purpose[F.UNDESIGNATED][:3] == (2, Decimal("1500.00"), Decimal("0.00"))
    assert by_purpose[F.UNDESIGNATED][3] == Decimal("9277.00")  # left counts the gift of 30 September too
    [masks] = section.tables[2].rows
    assert masks[2:] == (1000, 600, 250, 400, 350)
    assert section.figure("donations").value == 3 and section.figure("donation_amount").value == Decimal("3500.00")
    assert section.figure("money_used").value == Decimal("300.00")
    assert early.figure("donations").value == 0 and all(row[1] == 0 for row in early.tables[0].rows)
