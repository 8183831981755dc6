"""Who sent a message, as far as the force's own mail server could tell.

``verify_sender(raw_bytes, policy)`` is a pure function: it reads the
message's top-level headers and returns a verdict with its evidence. It
never drops anything: a message that fails is processed like any other and
the store opens an ``unverified_sender`` item on it (store/message_writes.py).

What counts (RFC 8601): only an ``Authentication-Results`` header whose
authserv-id is one the policy trusts, and of those only the topmost run,
the ones the force's MX prepended on arrival. Headers are prepended as mail
travels, so anything further down was there before our server saw the
message and may have been written by the sender: a forged
"Authentication-Results: mx.force.police.uk; dmarc=pass" in a message is
below ours and is ignored (counted in the evidence). The run ends at the
first header that is not an Authentication-Results header with a trusted
id: the first Received line below them is the hop into our server. (RFC
8601 section 5 also asks the MX to delete such headers arriving from
outside; not every MX does, hence the rule.)

Then the policy: every check it requires must pass (``dmarc=pass`` for the
From domain; ``dkim=pass`` by a signature whose d= is the From domain or a
parent of it; ``spf=pass`` for an envelope sender in the From domain), and
when it lists agency domains the From domain must be one of them or a
subdomain. A message with no From address, or several, is not verified.

The parser is ours rather than the ``authres`` package's: authres (last
released 2019) rejects real headers such as Exchange Online's, which omit
the authserv-id and add properties like ``action=none``; here an
unparseable part costs only that part.

The evidence holds header names, results, authserv-ids and the sender's
domain: never an address's local part, a subject or other content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

AR_HEADER = "authentication-results"
RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy")
_TOKEN_RE = re.compile(r"^([A-Za-z0-9_.-]+)(?:/\d+)?\s*=\s*(.*)$", re.S)
_MAX_HEADER = 8192


@dataclass(frozen=True)
class SenderPolicy:
    """What makes a sender verified for one inbox (or for replayed archives)."""

    trusted_authserv_ids: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    require: tuple[str, ...] = ("dmarc",)
    name: str = "default"  # "default" or "inbox:NAME", for the evidence

    @property
    def active(self) -> bool:
        """Nothing configured: no check at all (no item on every message)."""
        return bool(self.trusted_authserv_ids or self.allowed_domains)


def policy_from_settings(settings, inbox=None) -> SenderPolicy:
    """[sender], with an inbox's own keys over it."""
    base = settings.model.sender if settings is not None else None
    values = {
        "trusted_authserv_ids": tuple(base.trusted_authserv_ids) if base else (),
        "allowed_domains": tuple(base.allowed_domains) if base else (),
        "require": tuple(base.require) if base else ("dmarc",),
    }
    name = "default"
    own = getattr(inbox, "sender", None) or {}
    if own:
        values.update({k: tuple(v) for k, v in own.items()})
        name = f"inbox:{inbox.name}"
    return SenderPolicy(name=name, **values)


class SenderPolicies:
    """The policy for each source a received message names: an inbox's own
    keys over [sender]; replayed archives (and a source no longer
    configured) get [sender]. Inboxes are read on first need, so replay
    never depends on the inbox tables."""

    def __init__(self, settings):
        self.settings = settings
        self.default = policy_from_settings(settings)
        self._by_inbox: dict[str, SenderPolicy] | None = None

    def for_source(self, source: str | None) -> SenderPolicy:
        if source in (None, "replay") or self.settings is None:
            return self.default
        if self._by_inbox is None:
            from intake.ingest.inbox_config import load_inboxes  # lazy: replay needs no inbox tables

            self._by_inbox = {ib.name: policy_from_settings(self.settings, ib)
                              for ib in load_inboxes(self.settings)}
        return self._by_inbox.get(source, self.default)


# --------------------------------------------------------------------------
# Authentication-Results (RFC 8601), tolerant
# --------------------------------------------------------------------------


@dataclass
class ResInfo:
    method: str
    result: str
    props: dict[str, str] = field(default_factory=dict)  # "header.d" -> "school.org"


@dataclass
class AuthResults:
    authserv_id: str | None
    results: list[ResInfo]


def _strip_comments(text: str) -> str:
    """Drop (comments), nested, outside quoted strings."""
    out, depth, quoted, escaped = [], 0, False, False
    for ch in text:
        if escaped:
            if depth == 0:
                out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            if depth == 0:
                out.append(ch)
            continue
        if quoted:
            out.append(ch)
            if ch == '"':
                quoted = False
            continue
        if ch == "(":
            depth += 1
            continue
        if ch == ")" and depth:
            depth -= 1
            continue
        if depth:
            continue
        if ch == '"':
            quoted = True
        out.append(ch)
    return "".join(out)


def _split(text: str, sep: str) -> list[str]:
    parts, cur, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _words(text: str) -> list[str]:
    """Whitespace-separated words, keeping quoted strings and "a = b" as one."""
    text = re.sub(r"\s*=\s*", "=", text)
    words, cur, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            cur.append(ch)
        elif ch.isspace() and not quoted:
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


def _unquote(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] == '"':
        v = v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return v


def parse_authentication_results(value: str) -> AuthResults:
    """One header's value. Never raises: what cannot be read is left out."""
    text = _strip_comments(" ".join(value[:_MAX_HEADER].split()))
    parts = [p.strip() for p in _split(text, ";")]
    first = parts[0] if parts else ""
    authserv_id: str | None = None
    rest = parts[1:]
    head = _words(first)
    if head and "=" not in head[0]:
        authserv_id = _unquote(head[0]).lower() or None
        # a version number may follow the id; a resinfo may share the part
        leftover = " ".join(w for w in head[1:] if not w.isdigit())
        if leftover:
            rest = [leftover] + rest
    else:
        # No authserv-id (Exchange Online writes none): all parts are results.
        rest = parts
    results = []
    for part in rest:
        words = _words(part)
        if not words:
            continue
        m = _TOKEN_RE.match(words[0])
        if not m:
            continue
        method, result = m.group(1).lower(), _unquote(m.group(2)).lower()
        if method == "none" or not result:
            continue
        props = {}
        for w in words[1:]:
            pm = _TOKEN_RE.match(w)
            if pm and "." in pm.group(1):
                props[pm.group(1).lower()] = _unquote(pm.group(2))
        results.append(ResInfo(method, result, props))
    return AuthResults(authserv_id, results)


# --------------------------------------------------------------------------
# the verdict
# --------------------------------------------------------------------------


def _domain_of(addr: str) -> str | None:
    addr = (addr or "").strip().strip("<>")
    if "@" not in addr:
        return addr.strip(".").lower() or None
    return addr.rsplit("@", 1)[1].strip().strip(".").lower() or None


def _within(domain: str | None, parent: str | None) -> bool:
    """``domain`` is ``parent`` or one of its subdomains."""
    if not domain or not parent:
        return False
    return domain == parent or domain.endswith("." + parent)


def _aligned(signer: str | None, from_domain: str) -> bool:
    # Relaxed alignment without a public-suffix list: the signing domain is
    # the From domain or a parent of it with at least two labels (nobody
    # can sign as "uk" or "police.uk" without that registry's keys).
    return bool(signer) and signer.count(".") >= 1 and (_within(from_domain, signer) or _within(signer, from_domain))


def _from_domain(values: list[str]) -> tuple[str | None, str | None]:
    """(domain, problem)."""
    addrs = [a for _, a in getaddresses(values) if a]
    if not addrs:
        return None, "no From address"
    if len(addrs) > 1:
        return None, "more than one From address"
    domain = _domain_of(addrs[0]) if "@" in addrs[0] else None
    if not domain or not re.fullmatch(r"[a-z0-9.-]+\.[a-z0-9-]+", domain):
        return None, "the From address has no usable domain"
    return domain, None


def _check(method: str, results: list[ResInfo], from_domain: str) -> str:
    """The outcome of one required check: "pass" or why not."""
    mine = [r for r in results if r.method == method]
    if not mine:
        return "missing"
    if method == "dmarc":
        for r in mine:
            hf = _domain_of(r.props.get("header.from", "")) if r.props.get("header.from") else None
            if r.result == "pass" and (hf is None or hf == from_domain):
                return "pass"
        return mine[0].result if mine[0].result != "pass" else "pass for another domain"
    if method == "dkim":
        for r in mine:
            signer = r.props.get("header.d") or _domain_of(r.props.get("header.i", ""))
            if r.result == "pass" and _aligned(signer and signer.lower(), from_domain):
                return "pass"
        return next((r.result for r in mine if r.result != "pass"), "pass for another domain")
    if method == "spf":
        for r in mine:
            envelope = _domain_of(r.props.get("smtp.mailfrom", "") or r.props.get("smtp.helo", ""))
            if r.result == "pass" and _aligned(envelope, from_domain):
                return "pass"
        return next((r.result for r in mine if r.result != "pass"), "pass for another domain")
    return "unknown check"


def _top_headers(raw: bytes) -> list[tuple[str, str]]:
    try:
        msg = BytesHeaderParser(policy=compat32).parsebytes(raw)
    except Exception:  # noqa: BLE001 - a message whose headers cannot be read has no evidence
        return []
    out = []
    for name, value in msg.items():
        out.append((str(name).strip().lower(), str(value)))
    return out


def verify_sender(raw: bytes, policy: SenderPolicy) -> dict:
    """The verdict on one raw message, as the store keeps it (JSON)."""
    verdict: dict = {"checked": policy.active, "verified": None, "policy": policy.name}
    if not policy.active:
        return verdict
    headers = _top_headers(raw)
    from_domain, from_problem = _from_domain([v for n, v in headers if n == "from"])
    verdict["from_domain"] = from_domain
    trusted = {t.lower() for t in policy.trusted_authserv_ids}
    reasons: list[str] = []
    if from_problem:
        reasons.append(from_problem)

    used: list[AuthResults] = []
    ignored = 0
    started = ended = False
    for name, value in headers:
        if name != AR_HEADER:
            if started:
                ended = True
            continue
        ar = parse_authentication_results(value)
        if ar.authserv_id in trusted and not ended:
            started = True
            used.append(ar)
        elif ar.authserv_id in trusted:
            ignored += 1  # below our server's own: the sender could have written it
    verdict["trusted_headers"] = len(used)
    verdict["ignored_headers"] = ignored
    if trusted:
        verdict["authserv_id"] = used[0].authserv_id if used else None
        results = [r for ar in used for r in ar.results]
        verdict["results"] = {r.method: r.result for r in reversed(results)}  # the first of each wins
        if not used:
            reasons.append("no Authentication-Results header from the trusted server "
                           f"({', '.join(sorted(trusted))})")
        elif from_domain:
            checks = {m: _check(m, results, from_domain) for m in policy.require}
            verdict["checks"] = checks
            reasons += [f"{m.upper()} {outcome}" for m, outcome in checks.items() if outcome != "pass"]
    if policy.allowed_domains:
        listed = any(_within(from_domain, d) for d in policy.allowed_domains)
        verdict["allow_listed"] = listed
        if from_domain and not listed:
            reasons.append(f"{from_domain} is not one of the agencies' domains for this inbox")
    verdict["verified"] = not reasons
    verdict["reasons"] = reasons
    return verdict
