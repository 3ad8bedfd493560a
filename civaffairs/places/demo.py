"""Demo place tree: the towns and sub-districts of 天水市麦积区, with some communities and villages."""
from __future__ import annotations

from civaffairs.accounts.roles import COMMAND_LINE_ACTOR, Actor
from civaffairs.db.database import Database
from civaffairs.places.fields import COMMUNITIES, TOWNS
from civaffairs.records import service as records

PLACES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("道北街道", "subdistrict"): [("渭滨社区", "community"), ("天河社区", "community"), ("向阳社区", "community")],
    ("北道埠街道", "subdistrict"): [("东团庄社区", "community"), ("埠南社区", "community")],
    ("桥南街道", "subdistrict"): [("伯阳路社区", "community"), ("商埠路社区", "community"), ("龙园社区", "community")],
    ("马跑泉镇", "town"): [("马跑泉社区", "community"), ("崖湾村", "village"), ("二十里铺村", "village")],
    ("甘泉镇", "town"): [("甘泉村", "village"), ("吴家河村", "village")],
    ("社棠镇", "town"): [("社棠社区", "community"), ("柳家河村", "village")],
    ("花牛镇", "town"): [("花牛村", "village"), ("二十铺村", "village")],
}


def fill(db: Database, *, actor: Actor = COMMAND_LINE_ACTOR) -> dict[str, int]:
    """Adds the towns and communities that are not there yet (a second run adds nothing)."""
    counts = {"towns": 0, "communities": 0}
    with db.write() as s:
        towns = {o.label: o.id for o in records.options(s, actor, TOWNS)}
        for (town, kind), communities in PLACES.items():
            if town not in towns:
                towns[town] = records.create(s, actor, TOWNS, {"name": town, "kind": kind, "notes": ""}).id
                counts["towns"] += 1
            q = records.ListQuery(equals=(("town_id", towns[town]),))
            existing = {r.values["name"] for r in records.fetch(s, actor, COMMUNITIES, q, 0, 1000)}
            for name, ckind in communities:
                if name not in existing:
                    records.create(s, actor, COMMUNITIES, {"town_id": towns[town], "name": name, "kind": ckind,
                                                           "notes": ""})
                    counts["communities"] += 1
    return counts
