"""intake: receive, parse and link intelligence report forms from police inboxes."""

__version__ = "0.1.0"
