"""Reading report mailboxes over IMAP.

connection  TLS, trust and login (password or XOAUTH2)
folder_pass one pass over one folder: SEARCH, diff, FETCH, pipeline, `after`
after       the move/flag/keyword applied once a message is committed
inbox_lock  one process per inbox (PostgreSQL advisory lock / SQLite lock file)
inbox_runner a whole pass over an inbox, its status and its backoff
idle        the IDLE watcher that triggers a pass within seconds of new mail
status      what `intake status` reads
"""
