"""Several PCs on one office server, each working on its own copy through any outage.

A PC that joined an office server keeps a working copy (SQLite, in its data folder) that every
screen reads and every service writes.  Each service write on a working copy is also queued, in
the same transaction, as a change in the outbox (`capture`): the register, the record, the
values the clerk changed and the values they changed them from.  An exchange (`exchange`)
pushes the waiting changes to the server, where each is applied once (by its change id) through
the same services, under the permissions of the user who made it, merged field by field against
what others saved meanwhile, or queued as a conflict (`replay`, `conflicts`); then it pulls what
the server's audit sequence says changed since the PC's last position.

Qt-free; the window only shows the state and the conflict queue."""
