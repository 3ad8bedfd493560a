"""Excel in and out for every register (issue 12): export, templates, import with a preview, and
import batches an administrator can undo.  Qt-free: the GUI and the command line call these."""
