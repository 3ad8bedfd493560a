"""What group 2 does beyond its registers: the closed-management notice of one institution."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from civaffairs.accounts.roles import Actor
from civaffairs.core.errors import NotFound
from civaffairs.core.i18n import _
from civaffairs.groups.service_institutions.fields import GROUP
from civaffairs.groups.service_institutions.models import Institution
from civaffairs.notices import service as notices

TEMPLATE = "closed_management"
DISTRICT_WIDE = "决定自即日起对全区民政服务机构实行封闭管理"


def closed_management_notice(session: Session, actor: Actor, institution_id: uuid.UUID, *,
                             today: date | None = None) -> uuid.UUID:
    """A draft notice of group 2 from the closed-management template, addressed to one
    institution and naming it in the title and the first paragraph.  Permission and audit are the
    notices service's (the draft is created, then updated, in the caller's transaction)."""
    institution = session.get(Institution, institution_id)
    if institution is None or institution.deleted_at is not None:
        raise NotFound(_("This record no longer exists."))
    notice_id = notices.create_draft(session, actor, GROUP, TEMPLATE, today=today)
    draft = notices.get(session, actor, notice_id)
    name = institution.name
    body = draft.body.replace(DISTRICT_WIDE, f"决定自即日起对{name}实行封闭管理", 1)
    notices.update_draft(session, actor, notice_id, draft.version, title=f"关于对{name}实行封闭管理的通知",
                         addressee=name, body=body)
    return notice_id
