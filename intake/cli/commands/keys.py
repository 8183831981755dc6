"""`intake keys generate|status|check|rotate|encrypt-existing`: the store's
encryption at rest (docs/security.md).

- ``generate`` prints a new key-encryption key (base64) to put in the file
  or variable [encryption] names; it touches no store.
- ``status`` says whether the store is encrypted and by which key.
- ``check`` opens every sealed value and blob with the configured key and
  counts what is still in clear (exit 1 if anything fails or is in clear).
- ``rotate --new-key-file F | --new-key-env V`` re-wraps the data key under
  a new key-encryption key; no value is re-encrypted. Configure the new
  key afterwards: the old one no longer opens the store.
- ``encrypt-existing`` turns encryption on for a store kept in clear, or
  seals what an older schema left in clear in an encrypted store (the
  columns `intake migrate` to 0012_sealed_free_text encrypts: origins,
  sources, audit details): it seals every value still in clear in
  committed batches and can be killed and run again (it carries on);
  other commands refuse the store until it has finished. Then it compacts
  a SQLite file so no clear copy survives in free pages.

Keys are never printed except by ``generate``, and never logged.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from intake.config.settings import ConfigError
from intake.logs import fields
from intake.store import repository as repo
from intake.store import store_keys
from intake.store.db import Store, StoreError, open_store

log = logging.getLogger(__name__)


def register(sub, common) -> None:
    p = sub.add_parser("keys", parents=[common], help="encryption at rest: make, check and rotate the store's key")
    verbs = p.add_subparsers(dest="verb", metavar="ACTION", required=True)
    a = verbs.add_parser("generate", parents=[common], help="print a new key-encryption key (base64)")
    a.set_defaults(func=run_generate)
    a = verbs.add_parser("status", parents=[common], help="is the store encrypted, and with which key")
    a.set_defaults(func=run_status)
    a = verbs.add_parser("check", parents=[common],
                         help="open every encrypted value and blob; count what is still in clear")
    a.set_defaults(func=run_check)
    a = verbs.add_parser("rotate", parents=[common],
                         help="re-wrap the store's data key under a new key-encryption key")
    g = a.add_mutually_exclusive_group(required=True)
    g.add_argument("--new-key-file", metavar="PATH", help="file whose first line is the new key")
    g.add_argument("--new-key-env", metavar="NAME", help="environment variable holding the new key")
    a.set_defaults(func=run_rotate)
    a = verbs.add_parser("encrypt-existing", parents=[common],
                         help="encrypt a store kept in clear, or what an upgrade left in clear (batches; "
                              "resumable)")
    a.add_argument("--batch-size", type=int, default=200, metavar="N", help="rows per committed batch")
    a.add_argument("--no-compact", action="store_true",
                   help="skip VACUUM of a SQLite store afterwards (then run it yourself)")
    a.set_defaults(func=run_encrypt_existing)


def _say(text: str) -> None:
    print(f"intake keys: {text}", file=sys.stderr)


def _kek(settings) -> bytes | None:
    try:
        return store_keys.kek_from_settings(settings)
    except store_keys.KeyProblem as exc:
        raise StoreError(exc.code, exc.detail) from None


def run_generate(args, settings) -> int:
    print(store_keys.generate_kek())
    return EXIT_OK


def run_status(args, settings) -> int:
    kek = _kek(settings)
    with Store(settings.store_url, settings.store_password, upgrade=False, create=False, write=False,
               source=settings.store_url_source, key_purpose="unchecked") as store:
        state = store_keys.store_state(store.engine)
    if state is None:
        print("not encrypted" + (" ([encryption] names a key: run `intake keys encrypt-existing`)" if kek else ""))
        return EXIT_OK
    opens = kek is not None and _opens(settings, kek)
    print(f"encrypted ({state}); the configured key "
          f"{'is missing' if kek is None else 'opens it' if opens else 'does NOT open it'}")
    # A status check in a script or a monitor: non-zero when the store
    # cannot be opened with what is configured.
    return EXIT_OK if opens else EXIT_FAILED


def _opens(settings, kek: bytes) -> bool:
    try:
        Store(settings.store_url, settings.store_password, upgrade=False, create=False, write=False,
              source=settings.store_url_source, kek=kek, key_purpose="encrypt-existing").close()
        return True
    except StoreError:
        return False


def run_check(args, settings) -> int:
    with open_store(settings, write=False) as store:
        census = store_keys.check(store.engine, store.keyring)
    for name, n in sorted(census.failed.items()):
        print(f"FAILED  {name}: {n} value(s) do not open with this store's key")
    for name, n in sorted(census.clear.items()):
        print(f"CLEAR   {name}: {n} value(s) not encrypted")
    print(f"{census.total_sealed} encrypted value(s) open; {census.total_clear} in clear; "
          f"{census.total_failed} failed")
    if store.keyring is None:
        print("the store is not encrypted")
        return EXIT_OK
    return EXIT_FAILED if census.total_failed or census.total_clear else EXIT_OK


def _new_kek(args, settings) -> bytes:
    from intake.config.settings import read_secret

    if args.new_key_file:
        table, where = {"key_file": str(Path(args.new_key_file))}, args.new_key_file
    else:
        table, where = {"key_env": args.new_key_env}, "$" + args.new_key_env
    try:
        value = read_secret(table, "key", "--new-key-" + ("file" if args.new_key_file else "env"))
    except ConfigError as exc:
        raise ConfigError(str(exc)) from None
    try:
        return store_keys.parse_kek(value or "", where)
    except store_keys.KeyProblem as exc:
        raise ConfigError(exc.detail) from None


def run_rotate(args, settings) -> int:
    old = _kek(settings)
    if old is None:
        _say("[encryption] names no key: there is nothing to rotate")
        return EXIT_USAGE
    new = _new_kek(args, settings)
    if new == old:
        _say("the new key is the key configured now; nothing changed")
        return EXIT_FAILED
    with open_store(settings) as store:
        try:
            n = store_keys.rotate(store.engine, old, new)
        except store_keys.KeyProblem as exc:
            raise StoreError(exc.code, exc.detail) from None
        with store.transaction() as s:
            repo.audit(s, "cli:" + _os_user(), "keys.rotated", "store", None, keys=n)
    log.info("store key re-wrapped", extra=fields(keys=n))
    print(f"re-wrapped {n} data key(s) under the new key; now point [encryption] at it "
          "(the old key no longer opens this store)")
    return EXIT_OK


def run_encrypt_existing(args, settings) -> int:
    kek = _kek(settings)
    if kek is None:
        _say("[encryption] names no key: set key_env or key_file first (docs/security.md)")
        return EXIT_USAGE
    if args.batch_size < 1:
        _say("--batch-size must be at least 1")
        return EXIT_USAGE
    with Store(settings.store_url, settings.store_password, upgrade=False, create=False,
               source=settings.store_url_source, kek=kek, key_purpose="encrypt-existing") as store:
        def progress(table: str, seen: int, total: int) -> None:
            log.debug("encrypt-existing batch committed", extra=fields(table=table, rows=seen, of=total))

        try:
            done = store_keys.encrypt_existing(store.engine, kek, batch=args.batch_size, progress=progress)
        except store_keys.KeyProblem as exc:
            raise StoreError(exc.code, exc.detail) from None
        with store.transaction() as s:
            repo.audit(s, "cli:" + _os_user(), "keys.encrypted_existing", "store", None,
                       rows=sum(done.values()))
        if not args.no_compact:
            store_keys.compact(store.engine)
    print(f"encrypted {sum(done.values())} row(s) in {len(done)} table(s); the store is encrypted"
          + ("" if not args.no_compact or store.dialect != "sqlite" else "; run VACUUM on it now"))
    if store.dialect == "postgresql":
        print("PostgreSQL keeps old row versions until they are vacuumed: run VACUUM FULL on the database "
              "(docs/security.md)")
    return EXIT_OK


def _os_user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, ImportError):
        return str(os.getuid())
