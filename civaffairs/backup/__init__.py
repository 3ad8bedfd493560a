"""Backups a clerk can run: copies of the database taken while the program runs, each verified
after it is written and described by a JSON sidecar; retention of the automatic daily ones; restore;
and the check at start that tells a damaged or foreign database file from a new one.  No Qt."""
