"""Alembic migrations of civaffairs.

HEAD names the newest revision so that a start on an up-to-date database needs no Alembic at all
(importing it costs a tenth of a second).  Update it with every new migration; a test checks it."""

HEAD = "0011"
