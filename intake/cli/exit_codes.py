"""The exit codes of every `intake` command, in one place (README.md and
docs/operations.md document them). Scripts, cron jobs and systemd rely on
them: an exit code keeps its meaning once released."""

EXIT_OK = 0
# The command ran and something it was asked to do failed: an archive could
# not be read, an inbox is unhealthy (`status`), an entity does not exist, a
# store needs migrating (`migrate --check`).
EXIT_FAILED = 1
# Bad arguments or configuration: nothing was done, no mail was touched.
EXIT_USAGE = 2
# The store cannot be used: unreachable, missing, not an intake store, needs
# `intake migrate`, or written by a newer intake. Nothing was done.
EXIT_STORE = 3
# The store cannot be written: disk full or read-only. What was committed
# stays; nothing uncommitted was acknowledged; rerun after the fix.
EXIT_STORE_WRITE = 4
# A fault in intake itself (a bug): the log names where, without content.
EXIT_INTERNAL = 70
# Stopped by Ctrl-C / SIGINT before finishing.
EXIT_INTERRUPTED = 130

TABLE = [
    (EXIT_OK, "done (documents that became exceptions included: they are in the queue)"),
    (EXIT_FAILED, "ran, but something asked for failed: unreadable archive, unhealthy inbox, "
                  "unknown id, `migrate --check` found a store to upgrade"),
    (EXIT_USAGE, "bad arguments or configuration; nothing was done and no mail was touched"),
    (EXIT_STORE, "the store cannot be used: unreachable, missing, not an intake store, needs "
                 "`intake migrate`, or newer than this intake"),
    (EXIT_STORE_WRITE, "the store cannot be written (disk full or read-only); nothing uncommitted was "
                       "acknowledged; rerun after the fix"),
    (EXIT_INTERNAL, "a fault in intake (a bug): the log says where, without content"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
]
