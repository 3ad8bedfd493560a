"""Person search over the members of the households in difficulty (Qt-free): by name, ID number,
phone and address, answering as one types for terms of one, two or three characters (most Chinese
given names have one or two), on 100,000 persons.

How: a narrow side table, `assistance_person_search` (models.PersonSearchEntry), one row per live
member of a live household, holding the name (the list's sort key) and two normalised texts: the
name, which every role may search, and the name with the personal data (ID number, phone, and the
address: the member's own, else the household's), which only a role that may see it searches.  A
term is a substring match (LIKE '%term%') on one of those texts.  `find` reads a page in the
list's order (name, id), stopping when it is full, and counts the rest from there: one read of the
table per answer, whatever the term.

Measured by bench/bench_person_search.py (100,000 persons, CPU clock, terms of 1–3 characters:
names, ID and phone digits, address words): 17–43 ms an answer, 0.97–1.17× the same statements in
bare sqlite3; the side table is 14.5 MB.  Plain LIKE over the members joined to their households
took 68–822 ms (a rare name walks the whole join); an n-gram table (every 1- and 2-character piece
of every text, keyed by piece, name and person) answered in well under a millisecond for Chinese
terms but held 5.9 million rows, +300 MB for 100,000 persons, and took a minute to build — too much
for an office PC's database file; FTS5's trigram index does not serve 1- and 2-character terms.

The table is kept here, in the writer's own transaction: after every flush that adds or changes a
member (name, ID number, phone, address, household, deletion) or a household (its address, its
deletion), the rows of the persons concerned are written anew.  Writes through the ORM — the
generic register service, the workflow, `household_service.move_member` — are therefore always
searchable; SQL that bypasses the ORM must call `refresh` (or `rebuild`) itself.

Terms are NFKC-normalised (full-width digits and letters typed with a Chinese input method match
their ASCII forms) and upper-cased (a final x of an ID number matches X); several terms separated by
spaces must all match, as in every register's search."""
from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement, Integer, Select, String, and_, bindparam, delete, event, false, func, insert, inspect, or_,
    select, tuple_,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.groups.assistance.models import Household, HouseholdMember, PersonSearchEntry
from civaffairs.places.models import Town
from civaffairs.records import derived

GROUP = 4
E = PersonSearchEntry
SEPARATOR = "\x1f"  # between the parts of the full text: no term can hold it, so none spans two parts
MAX_TERMS = 5  # as the generic register search
CHUNK = 500  # ids per IN (…) list


def normalise(text: str | None) -> str:
    """How texts are stored and terms compared: NFKC (１３９ → 139, full-width letters → ASCII) and
    upper case (an ID number's x → X; Chinese characters are unchanged)."""
    return unicodedata.normalize("NFKC", text or "").upper()


def terms_of(text: str) -> list[str]:
    """The terms of a search as typed: split at spaces (full-width ones too), at most five;
    control characters (the separator among them) are dropped.  Rare characters (生僻字) stay as
    they are, those beyond the BMP and in the private use area too."""
    cleaned = "".join(c for c in normalise(text) if unicodedata.category(c) != "Cc")
    return cleaned.split()[:MAX_TERMS]


def sees_personal_data(actor: Actor) -> bool:
    """Whether the actor may search (as they may see) members' ID numbers, phones and addresses."""
    return actor.can_read_sensitive(GROUP)


def full_text(name: str, id_number: str | None, phone: str | None, address: str | None,
              household_address: str | None) -> str:
    """What a role that may see personal data searches: the name, ID number, phone and where the
    person lives — their own address when they have one (it differs from the household's), else
    the household's.  One text, so that a term costs one comparison per person."""
    return normalise(SEPARATOR.join(p or "" for p in (name, id_number, phone, address or household_address)))


def entry(member_id: uuid.UUID, name: str, id_number: str | None, phone: str | None, address: str | None,
          household_address: str | None) -> dict[str, Any]:
    """The side table's row for one person."""
    return {"name": name, "member_id": member_id, "name_text": normalise(name),
            "full_text": full_text(name, id_number, phone, address, household_address)}


# ------------------------------------------------------------------ the statements
#
# Built once for each shape of search (how many terms; names only or everything) with the terms,
# the offset and the limit as bound parameters: typing a search runs the same few statements
# again and again, and only their parameters change.

_ESCAPE = "/"


def _pattern(term: str) -> str:
    """The LIKE pattern of a term: anywhere in the text, its own % and _ taken literally."""
    return "%" + term.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_") + "%"


def _term_conditions(n: int, personal: bool) -> list[ColumnElement[bool]]:
    text = E.full_text if personal else E.name_text
    return [text.like(bindparam(f"t{i}", type_=String), escape=_ESCAPE) for i in range(n)]


_AFTER = tuple_(E.name, E.member_id) > tuple_(bindparam("after_name", type_=E.name.type),
                                               bindparam("after_id", type_=E.member_id.type))


@lru_cache(maxsize=64)
def _count(n: int, personal: bool, after: bool) -> Select[Any]:
    conds = _term_conditions(n, personal)
    if after:  # a seek in the table's own order: only the rest of it is read
        conds.append(_AFTER)
    return select(func.count()).select_from(E).where(and_(*conds))


@lru_cache(maxsize=64)
def _page_of(n: int, personal: bool) -> Select[Any]:
    return (select(E.member_id, E.name).where(and_(*_term_conditions(n, personal)))
            .order_by(E.name, E.member_id).offset(bindparam("offset", type_=Integer))
            .limit(bindparam("limit", type_=Integer)))


def _parameters(terms: Sequence[str], **more: Any) -> dict[str, Any]:
    return {**{f"t{i}": _pattern(t) for i, t in enumerate(terms)}, **more}


def count_statement(actor: Actor, text: str, after: tuple[str, uuid.UUID] | None = None) -> Select[Any] | None:
    """The SELECT counting the persons who match every term of `text` (only those after the
    (name, id) `after` in the list's order), its parameters bound; None for an empty search."""
    terms = terms_of(text)
    if not terms:
        return None
    extra = {"after_name": after[0], "after_id": after[1]} if after is not None else {}
    return _count(len(terms), sees_personal_data(actor), after is not None).params(_parameters(terms, **extra))


def page_statement(actor: Actor, text: str, offset: int, limit: int) -> Select[Any] | None:
    """The SELECT of one page of them, (id, name), in the members' list order (name, id), its
    parameters bound."""
    terms = terms_of(text)
    if not terms:
        return None
    return _page_of(len(terms), sees_personal_data(actor)).params(_parameters(terms, offset=offset, limit=limit))


def _connection(session: Session) -> Connection:
    """The session's connection for a plain read, after writing out what it holds (as the
    generic service does), so that a search inside a write sees that write."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()


def count(session: Session, actor: Actor, text: str) -> int:
    """How many persons match every term of `text` (0 for an empty search)."""
    terms = terms_of(text)
    if not terms:
        return 0
    stmt = _count(len(terms), sees_personal_data(actor), False)
    return _connection(session).execute(stmt, _parameters(terms)).scalar() or 0


def _count_after(session: Session, actor: Actor, terms: list[str], name: str, member_id: uuid.UUID) -> int:
    stmt = _count(len(terms), sees_personal_data(actor), True)
    return _connection(session).execute(stmt, _parameters(terms, after_name=name, after_id=member_id)).scalar() or 0


def _page(session: Session, actor: Actor, text: str, offset: int, limit: int) -> list[tuple[uuid.UUID, str]]:
    terms = terms_of(text)
    if not terms:
        return []
    stmt = _page_of(len(terms), sees_personal_data(actor))
    return [(r[0], r[1]) for r in _connection(session).execute(stmt, _parameters(terms, offset=offset, limit=limit))]


def page_ids(session: Session, actor: Actor, text: str, offset: int = 0, limit: int = 50) -> list[uuid.UUID]:
    """The ids of one page of the matching persons, in the members' list order (name, id)."""
    return [member_id for member_id, _name in _page(session, actor, text, offset, limit)]


def member_condition(actor: Actor, term: str) -> ColumnElement[bool]:
    """One term as a condition on `HouseholdMember`: for any list of members (another sort, a
    filter) that the fast page does not serve."""
    terms = terms_of(term)
    if not terms:
        return false()
    text = E.full_text if sees_personal_data(actor) else E.name_text
    return HouseholdMember.id.in_(select(E.member_id).where(
        and_(*(text.like(_pattern(t), escape=_ESCAPE) for t in terms))))


# ------------------------------------------------------------------ hits for a search box


@dataclass(frozen=True)
class PersonHit:
    member_id: uuid.UUID
    household_id: uuid.UUID
    name: str
    relation: str  # its title
    id_number: str  # masked for a role that may not see it
    phone: str  # masked likewise ("" when none)
    address: str  # the member's own, else the household's; masked likewise
    head_name: str
    town: str
    masked: frozenset[str] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        """One line for a completion list: "王秀英  620503…  马跑泉镇 王建国户"."""
        from civaffairs.core.i18n import _

        return "  ".join(p for p in (self.name, self.id_number, self.town,
                                     _("household of {head}").format(head=self.head_name)) if p)


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[PersonHit]


@lru_cache(maxsize=1)
def _hits() -> Select[Any]:
    m, h = HouseholdMember, Household
    return (select(m.id, m.household_id, m.name, m.relation, m.id_number, m.phone, m.address, h.address,
                   h.head_name, Town.name)
            .join(h, h.id == m.household_id).join(Town, Town.id == h.town_id)
            .where(m.id.in_(bindparam("ids", expanding=True))))


def hits_statement(member_ids: Sequence[uuid.UUID]) -> Select[Any]:
    """The SELECT of what a hit shows of each person, its parameters bound."""
    return _hits().params(ids=list(member_ids))


def hits(session: Session, actor: Actor, member_ids: Sequence[uuid.UUID]) -> list[PersonHit]:
    """The persons `member_ids`, in that order, masked for the actor as in the members' list."""
    from civaffairs.groups.assistance.households import MEMBERS
    from civaffairs.records import values as V

    if not member_ids:
        return []
    rows = {r[0]: r for r in _connection(session).execute(_hits(), {"ids": list(member_ids)})}
    personal = sees_personal_data(actor)
    out = []
    for member_id in member_ids:
        r = rows.get(member_id)
        if r is None:
            continue
        shown, masked = {}, set()
        for name, value in (("id_number", r[4]), ("phone", r[5]), ("address", r[6] or r[7])):
            f = MEMBERS.field(name)
            text = value or ""
            if text and f.sensitive is not None and not personal:
                text = V.mask(f, text)
                masked.add(name)
            shown[name] = text
        out.append(PersonHit(r[0], r[1], r[2], MEMBERS.field("relation").choice_title(r[3]), shown["id_number"],
                             shown["phone"], shown["address"], r[8], r[9], frozenset(masked)))
    return out


def find(session: Session, actor: Actor, text: str, offset: int = 0, limit: int = 50) -> SearchResult:
    """A search box's answer: how many persons match, and one page of them.  One read of the
    table in all: the page is read in the list's order up to its last person, and the count
    goes on from there (a page that is not full is the last: nothing is left to count)."""
    page = _page(session, actor, text, offset, limit)
    if page and len(page) == limit:
        last_id, last_name = page[-1]
        total = offset + limit + _count_after(session, actor, terms_of(text), last_name, last_id)
    elif page or offset == 0:
        total = offset + len(page)
    else:  # past the end
        total = count(session, actor, text)
    return SearchResult(total, hits(session, actor, [member_id for member_id, _name in page]))


# ------------------------------------------------------------------ the members register


class MemberSearch:
    """The members register's search (`RegisterSpec.search`): the generic list asks it instead of
    searching the fields with ILIKE.  `count`/`page` answer the usual case — a search of the live
    members in name order with no other filter — from the side table directly; for anything else
    (another sort, a filter, the recycle bin) they return None and the generic list applies
    `condition` to each term, with the same meaning."""

    sort = "name"

    @staticmethod
    def _served(q: Any) -> bool:
        return (bool(terms_of(q.search)) and not q.deleted and q.date_from is None and q.date_to is None
                and not q.colours and not q.equals and q.sort in (None, MemberSearch.sort) and not q.descending)

    def condition(self, actor: Actor, term: str) -> ColumnElement[bool]:
        return member_condition(actor, term)

    def count(self, session: Session, actor: Actor, q: Any) -> int | None:
        return count(session, actor, q.search) if self._served(q) else None

    def page(self, session: Session, actor: Actor, q: Any, offset: int, limit: int) -> list[uuid.UUID] | None:
        return page_ids(session, actor, q.search, offset, limit) if self._served(q) else None


MEMBER_SEARCH = MemberSearch()


# ------------------------------------------------------------------ keeping the table


def _chunks(ids: Collection[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    items = list(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


@lru_cache(maxsize=1)
def _keeping() -> tuple[Any, Select[Any], Select[Any], Any]:
    """The statements that keep the table, built once: rows of persons removed, persons read,
    the members of households, rows written."""
    m, h = HouseholdMember, Household
    ids = bindparam("ids", expanding=True)
    return (delete(E).where(E.member_id.in_(ids)),
            select(m.id, m.name, m.id_number, m.phone, m.address, h.address).join(h, h.id == m.household_id)
            .where(m.id.in_(ids), m.deleted_at.is_(None), h.deleted_at.is_(None)),
            select(m.id).where(m.household_id.in_(ids)),
            insert(E))


def refresh(connection: Connection, member_ids: Collection[uuid.UUID] = (),
            household_ids: Collection[uuid.UUID] = ()) -> None:
    """Write anew the rows of these persons and of every member of these households (a person
    deleted, or in a deleted household, has none)."""
    remove, read, members_of, write = _keeping()
    ids = set(member_ids)
    for chunk in _chunks(household_ids):
        ids.update(connection.execute(members_of, {"ids": chunk}).scalars())
    for chunk in _chunks(ids):
        connection.execute(remove, {"ids": chunk})
        rows = [entry(*r) for r in connection.execute(read, {"ids": chunk})]
        if rows:
            connection.execute(write, rows)


def rebuild(session: Session) -> int:
    """The whole table anew from the members (after a bulk load or a repair); returns its rows."""
    connection = session.connection()
    connection.execute(delete(E))
    m, h = HouseholdMember, Household
    made = 0
    last: tuple[str, uuid.UUID] | None = None
    while True:  # in pages of the members' own order: memory stays flat however many there are
        stmt = (select(m.id, m.name, m.id_number, m.phone, m.address, h.address).join(h, h.id == m.household_id)
                .where(m.deleted_at.is_(None), h.deleted_at.is_(None)).order_by(m.name, m.id).limit(5000))
        if last is not None:
            stmt = stmt.where(or_(m.name > last[0], and_(m.name == last[0], m.id > last[1])))
        rows = connection.execute(stmt).all()
        if not rows:
            return made
        connection.execute(insert(E), [entry(*r) for r in rows])
        made += len(rows)
        last = (rows[-1][1], rows[-1][0])


def _copied(connection: Connection, copied: Mapping[str, Collection[uuid.UUID]]) -> None:
    refresh(connection, copied.get(HouseholdMember.__tablename__, ()), copied.get(Household.__tablename__, ()))


derived.on_copied((HouseholdMember.__tablename__, Household.__tablename__), _copied)  # a working copy's pull

_HOUSEHOLD_FIELDS = ("address", "deleted_at")


@event.listens_for(Session, "after_flush")
def _keep_search_table(session: Session, flush_context: Any) -> None:
    added: list[HouseholdMember] = []  # new persons: their row is written from what was just saved
    members: set[uuid.UUID] = set()  # changed or removed persons: their row is written anew
    households: set[uuid.UUID] = set()
    for obj in session.new:
        if isinstance(obj, HouseholdMember):
            added.append(obj)
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, HouseholdMember):
            members.add(obj.id)
        elif isinstance(obj, Household):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in _HOUSEHOLD_FIELDS):
                households.add(obj.id)
    if not added and not members and not households:
        return
    connection = session.connection()
    rows = []
    for m in added:
        household = session.identity_map.get(session.identity_key(Household, m.household_id))
        if household is None or m.deleted_at is not None or household.deleted_at is not None:
            members.add(m.id)  # not at hand, or not to be found: the general way
            continue
        rows.append(entry(m.id, m.name, m.id_number, m.phone, m.address, household.address))
    if rows:
        connection.execute(_keeping()[3], rows)
    if members or households:
        refresh(connection, members, households)
