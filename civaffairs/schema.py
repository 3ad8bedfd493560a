"""Every model of the program, imported once so that the metadata is complete (for migrations,
the schema test, and creating the database)."""
from civaffairs.accounts import models as _accounts  # noqa: F401
from civaffairs.audit import models as _audit  # noqa: F401
from civaffairs.db.base import Base
from civaffairs.exchange import models as _exchange  # noqa: F401
from civaffairs.sync import models as _sync  # noqa: F401
from civaffairs.groups import load_all
from civaffairs.groups.bureau_office import models as _bureau_office  # noqa: F401
from civaffairs.notices import models as _notices  # noqa: F401
from civaffairs.numbering import models as _numbering  # noqa: F401
from civaffairs.places import models as _places  # noqa: F401

load_all()
metadata = Base.metadata
