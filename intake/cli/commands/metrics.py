"""`intake metrics [--textfile PATH]`: the store's gauges in Prometheus text
format (intake/metrics.py), for node_exporter's textfile collector from a
timer (deploy/intake-metrics.timer) or for a look by hand.

Only what the store knows: documents by status, open queue items, and per
inbox the last successful pass, failing or not, messages handled and
stored-but-unacknowledged. Rates (messages per minute, time per stage)
come from the daemon's own endpoint ([metrics] port)."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from intake.cli.exit_codes import EXIT_OK
from intake.store.db import StoreError, open_store, store_fault


def register(sub, common) -> None:
    p = sub.add_parser("metrics", parents=[common],
                       help="print the store's metrics, or write them for node_exporter (--textfile)")
    p.add_argument("--textfile", metavar="PATH",
                   help="write here atomically (e.g. /var/lib/prometheus/node-exporter/intake.prom)")
    p.add_argument("--mode", default="644", choices=["644", "640", "600"],
                   help="file mode of --textfile (default 644: node_exporter runs as another user)")
    p.set_defaults(func=run)


STORE_DOWN = (b"# HELP intake_store_up 1 when the store could be read for this scrape\n"
              b"# TYPE intake_store_up gauge\nintake_store_up 0.0\n")


def run(args, settings) -> int:
    from intake import metrics

    try:
        with open_store(settings, write=False) as store:
            data = metrics.render(store, with_process=False)
    except (StoreError, SQLAlchemyError) as exc:
        # Monitoring must see a store it cannot read (unreachable, missing,
        # encrypted without its key) as intake_store_up 0, not as a failed
        # scrape job: exit 0, and the reason on stderr.
        fault = exc if isinstance(exc, StoreError) else store_fault(exc, settings.store_url)
        code = fault.code if fault is not None else type(exc).__name__
        print(f"intake: {code}: the store could not be read; intake_store_up 0"
              + (f" ({fault.detail})" if fault is not None else ""), file=sys.stderr)
        data = STORE_DOWN
    if args.textfile:
        metrics.write_textfile(Path(args.textfile), data, int(args.mode, 8))
    else:
        sys.stdout.write(data.decode("utf-8"))
    return EXIT_OK
