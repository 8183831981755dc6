"""The fixture generator (fixtures/make_forms.py) in --quick mode: its ground
truth must agree with the documents it writes, or every parser test built on
it measures the wrong thing. Reads the documents independently of the
generator's own code (raw zip/XML, pypdf)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "fixtures" / "make_forms.py"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"

# The contract: docs/forms.md, "Canonical fields" and the per-template field lists.
TEMPLATE_FIELDS = {
    "staffordshire_cse": {
        "report_datetime", "submitter.name", "submitter.role", "submitter.agency", "submitter.contact",
        "witnessed_by", "subject.name", "subject.age", "subject.address", "third_party.willing_to_engage",
        "incident.narrative"},
    "derbyshire_op_liberty": {
        "report_datetime", "submitter.name", "submitter.role", "submitter.agency", "submitter.contact",
        "witnessed_by", "third_party.is_third_party", "third_party.details", "third_party.willing_to_engage",
        "subject.name", "subject.dob", "incident.narrative", "incident.others_present",
        "incident.alleged_offenders", "shared_with"},
    "met_mase_intel": {
        "report_datetime", "submitter.name", "submitter.role", "submitter.agency", "submitter.contact",
        "source.details", "incident.narrative", "incident.when", "incident.where", "incident.who",
        "source.how_known", "source.others_aware", "source.last_known_true"},
    "west_midlands_fib": {
        "report_datetime", "submitter.name", "submitter.role", "submitter.agency", "submitter.contact",
        "witnessed_by", "grading.source_reliability", "grading.information_accuracy",
        "third_party.willing_to_engage", "licensed_premises.involved", "licensed_premises.name_address",
        "licensed_premises.concern", "incident.narrative"},
    "free_text": {"incident.narrative"},
}
NON_TEXT = {"report_datetime", "subject.dob", "subject.age", "witnessed_by", "third_party.is_third_party",
            "third_party.willing_to_engage", "grading.source_reliability", "grading.information_accuracy",
            "licensed_premises.involved"}
ENTITY_TYPES = {"PERSON", "ALIAS", "AGE", "DOB", "VRM", "VEHICLE", "PHONE", "EMAIL", "SOCIAL_HANDLE", "APP",
                "POSTCODE", "ADDRESS", "LOCATION", "ORGANISATION", "SUBSTANCE", "GANG", "DATETIME"}


def run_generator(out: Path, seed: int = 20260304) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--quick", "--out", str(out), "--seed", str(seed)],
                   check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def forms(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fixtures")
    run_generator(out)
    return out / "forms"


@pytest.fixture(scope="module")
def expected(forms) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(forms.glob("*.expected.json"))]


def collapse(s: str) -> str:
    return " ".join(s.split())


def docx_xml(path: Path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def docx_text(root) -> str:
    """Every paragraph's text (runs, breaks as spaces), paragraphs joined."""
    paras = []
    for p in root.iter(f"{W}p"):
        parts = []
        for el in p.iter(f"{W}t", f"{W}br", f"{W}tab"):
            parts.append(el.text or "" if el.tag == f"{W}t" else " ")
        paras.append("".join(parts))
    return collapse(" ".join(paras))


def legacy_checked(root, name: str) -> bool:
    for ff in root.iter(f"{W}ffData"):
        if ff.find(f"{W}name").get(f"{W}val") == name:
            box = ff.find(f"{W}checkBox")
            checked = box.find(f"{W}checked")
            if checked is not None:
                return checked.get(f"{W}val", "1") in ("1", "true")
            return box.find(f"{W}default").get(f"{W}val") in ("1", "true")
    raise KeyError(name)


def sdt_by_tag(root, tag: str):
    for t in root.iter(f"{W}tag"):
        if t.get(f"{W}val") == tag:
            return t.getparent().getparent()
    raise KeyError(tag)


def sdt_checked(root, tag: str) -> bool:
    sdt = sdt_by_tag(root, tag)
    state = sdt.find(f"{W}sdtPr/{W14}checkbox/{W14}checked").get(f"{W14}val") == "1"
    glyph = "".join(t.text for t in sdt.iter(f"{W}t"))
    assert glyph == ("\u2612" if state else "\u2610"), f"{tag}: glyph disagrees with w14:checked"
    return state


# -- the layout and the index ----------------------------------------------

def test_every_expected_json_has_its_document_and_the_index_lists_all(forms, expected):
    index = json.loads((forms / "index.json").read_text())
    assert index["count"] == len(index["fixtures"]) == len(expected) > 40
    assert {e["fixture_id"] for e in index["fixtures"]} == {e["fixture_id"] for e in expected}
    for e in expected:
        doc = forms / e["document"]
        assert doc.name.startswith(e["fixture_id"] + ".")
        assert hashlib.sha256(doc.read_bytes()).hexdigest() == e["sha256"], e["fixture_id"]
    docs = {p.name for p in forms.iterdir() if not p.name.endswith(".json")}
    assert docs == {e["document"] for e in expected}, "a document without ground truth"


def test_ground_truth_follows_the_contract(expected):
    for e in expected:
        fid = e["fixture_id"]
        assert e["template_version"] == "1"
        assert e["expected_status"] in {"parsed", "exception", "not_a_report"}
        assert (e["expected_status"] == "exception") == (e["expected_exception"] is not None), fid
        if e["expected_status"] == "parsed":
            # A parsed form carries exactly its template's fields; absent = not on the form.
            assert set(e["fields"]) == TEMPLATE_FIELDS[e["template"]], fid
            assert e["fields"]["incident.narrative"], fid
        for key, v in e["fields"].items():
            if v is None:
                continue
            if key in ("report_datetime", "subject.dob"):
                (dt.datetime if "T" in v else dt.date).fromisoformat(v)
            elif key == "subject.age":
                assert isinstance(v, int) and 10 <= v <= 18
            elif key == "witnessed_by":
                assert v in ("professional", "member_of_public")
            elif key == "grading.source_reliability":
                assert isinstance(v, int) and 1 <= v <= 5
            elif key == "grading.information_accuracy":
                assert isinstance(v, int) and 1 <= v <= 4
            elif key in NON_TEXT:
                assert isinstance(v, bool), (fid, key)
            else:
                assert isinstance(v, str) and v == collapse(v) and v, (fid, key)
        for ent in e["entities"]:
            assert ent["type"] in ENTITY_TYPES, (fid, ent)
            if ent["type"] == "PHONE":
                # Ofcom drama numbers only (libphonenumber calls some invalid: docs/uk-formats.md).
                assert re.fullmatch(r"\+44(7700900\d{3}|1632960\d{3}|2079460\d{3}|121496\d{4})", ent["value"]), ent
            if ent["type"] == "VRM":
                assert re.fullmatch(r"\*?[A-Z0-9]+\*?", ent["value"]), ent


# -- the values are really in the documents ----------------------------------

def test_filled_text_values_are_in_the_docx(forms, expected):
    checked = 0
    for e in expected:
        if e["format"] != "docx" or e["template"] not in TEMPLATE_FIELDS or e["template"] == "free_text":
            continue
        docx.Document(forms / e["document"])  # opens as Word would
        root = docx_xml(forms / e["document"])
        text = docx_text(root)
        assert "Click here to enter text. " not in text or e["template"] == "west_midlands_fib"
        for key, v in e["fields"].items():
            if v is None or key in NON_TEXT - {"subject.age"}:
                continue
            assert str(v) in text, (e["fixture_id"], key)
            checked += 1
        digits = re.sub(r"\D", "", text)
        for ent in e["entities"]:
            if ent["type"] == "PHONE":
                assert ent["value"][-6:] in digits, (e["fixture_id"], ent)
    assert checked > 300


def test_legacy_fields_hold_the_values_and_ticks(forms, expected):
    for e in (x for x in expected if x["template"] == "derbyshire_op_liberty" and x["format"] == "docx"):
        root = docx_xml(forms / e["document"])
        f = e["fields"]
        assert legacy_checked(root, "Check1") == (f["witnessed_by"] == "member_of_public"), e["fixture_id"]
        assert legacy_checked(root, "Check2") == (f["witnessed_by"] == "professional"), e["fixture_id"]
        assert legacy_checked(root, "Check3") == (f["third_party.willing_to_engage"] is True)
        assert legacy_checked(root, "Check4") == (f["third_party.willing_to_engage"] is False)
        results = _formtext_results(root)
        assert results["Text2"] == f["submitter.name"]
        # An empty field keeps Word's five en spaces; a filled one loses them.
        for name, key in (("Text7", "third_party.details"), ("Text11", "incident.others_present"),
                          ("Text13", "shared_with")):
            assert (results[name] == "\u2002" * 5) == (f[key] is None), (e["fixture_id"], key)
        assert collapse(results["Text10"]) == (f["incident.narrative"] or "\u2002" * 5)


def _formtext_results(root) -> dict[str, str]:
    out, name, state = {}, None, None
    for el in root.iter(f"{W}fldChar", f"{W}t", f"{W}br"):
        if el.tag == f"{W}fldChar":
            kind = el.get(f"{W}fldCharType")
            if kind == "begin":
                nm = el.find(f"{W}ffData/{W}name")
                name, state = (nm.get(f"{W}val") if nm is not None else None), "code"
                if name:
                    out[name] = ""
            elif kind == "separate":
                state = "result"
            else:
                name, state = None, None
        elif name and state == "result":
            out[name] += el.text or "" if el.tag == f"{W}t" else "\n"
    return out


def test_content_controls_hold_the_values_and_ticks(forms, expected):
    for e in (x for x in expected if x["template"] == "west_midlands_fib" and x["format"] == "docx"):
        root = docx_xml(forms / e["document"])
        f = e["fields"]
        if e["variant"].startswith("tick-typed"):
            with pytest.raises(KeyError):  # the submitter replaced the control by a typed mark
                sdt_by_tag(root, "WitnessedProfessional")
            continue
        assert sdt_checked(root, "WitnessedProfessional") == (f["witnessed_by"] == "professional")
        assert sdt_checked(root, "WitnessedMemberOfPublic") == (f["witnessed_by"] == "member_of_public")
        assert sdt_checked(root, "WillingYes") == (f["third_party.willing_to_engage"] is True)
        assert sdt_checked(root, "LicensedNo") == (f["licensed_premises.involved"] is False)
        for tag, key in (("Information", "incident.narrative"), ("PremiseNameAddress", "licensed_premises.name_address"),
                         ("ContactDetails", "submitter.contact")):
            sdt = sdt_by_tag(root, tag)
            shown = collapse(" ".join(t.text or "" for t in sdt.iter(f"{W}t")))
            placeholder = sdt.find(f"{W}sdtPr/{W}showingPlcHdr") is not None
            if f[key] is None:
                assert placeholder and shown == "Click here to enter text.", (e["fixture_id"], key)
            else:
                assert not placeholder and shown == f[key], (e["fixture_id"], key)


def test_staffordshire_yes_no_and_typed_ticks(forms, expected):
    glyphs = set()
    for e in (x for x in expected if x["template"] == "staffordshire_cse" and x["format"] == "docx"):
        root = docx_xml(forms / e["document"])
        line = next(collapse(docx_text(p)) for p in root.iter(f"{W}p") if "(delete as appropriate)" in docx_text(p))
        willing = e["fields"]["third_party.willing_to_engage"]
        assert ("Yes/No" in line) == (willing is None), e["fixture_id"]
        if willing is not None:
            assert ("Yes (delete" if willing else "No (delete") in line
        row = next(tr for tr in root.iter(f"{W}tr") if "witnessed incident" in docx_text(tr).lower())
        cells = [docx_text(tc) for tc in row.iter(f"{W}tc")]
        marks = {i: c for i, c in enumerate(cells) if i in (2, 4) and c}
        if e["variant"] == "tick-content-control":
            assert set(marks.values()) == {"\u2610", "\u2612"}
            continue
        expected_cell = {"professional": 2, "member_of_public": 4, None: None}[e["fields"]["witnessed_by"]]
        assert list(marks) == ([expected_cell] if expected_cell else []), e["fixture_id"]
        glyphs.update(marks.values())
    assert {"\u2612", "\u2611", "\u2713", "\u2714", "X", "x"} <= glyphs


def test_acroform_values_live_in_the_fields(forms, expected):
    for e in (x for x in expected if x["format"] == "acroform"):
        reader = PdfReader(forms / e["document"])
        values = {k: v.get("/V") for k, v in reader.get_fields().items()}
        assert collapse(values["box3_problem"]) == e["fields"]["incident.narrative"]
        assert (collapse(values["box2_source"] or "") or None) == e["fields"]["source.details"]
        assert reader.pages[0].extract_text().find(e["fields"]["incident.narrative"][:30]) == -1


def test_exception_and_non_report_documents_are_what_they_claim(forms, expected):
    by_exc = {e["expected_exception"]: e for e in expected if e["expected_exception"]}
    assert {"unknown_template", "missing_required_field", "encrypted_document", "corrupt_document"} <= set(by_exc)
    assert PdfReader(forms / by_exc["encrypted_document"]["document"]).is_encrypted
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(forms / by_exc["corrupt_document"]["document"])
    missing = [e for e in expected if e["expected_exception"] == "missing_required_field"]
    assert missing and all(e["fields"]["incident.narrative"] is None for e in missing)
    variants = {e["variant"] for e in expected if e["expected_status"] == "not_a_report"}
    assert {"section_116_notice", "guidance_leaflet", "signature_logo"} <= variants
    logo = next(e for e in expected if e["variant"] == "signature_logo")
    assert (forms / logo["document"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_free_text_narrative_is_the_body(forms, expected):
    texts = [e for e in expected if e["format"] == "text"]
    assert len(texts) >= 10
    for e in texts:
        assert e["fields"]["incident.narrative"] == collapse((forms / e["document"]).read_text("utf-8"))


def test_every_template_has_standard_relabelled_and_partial(expected):
    have = {(e["template"], e["variant"]) for e in expected if e["format"] == "docx"}
    for t in ("staffordshire_cse", "derbyshire_op_liberty", "met_mase_intel", "west_midlands_fib"):
        assert {(t, "standard"), (t, "relabelled"), (t, "partial")} <= have
    partial = [e for e in expected if e["variant"] == "partial"]
    assert all(sum(v is None for v in e["fields"].values()) >= 3 for e in partial)


# -- groups for dedup and entity linking -------------------------------------

def test_groups_point_at_real_fixtures(forms, expected):
    by_id = {e["fixture_id"]: e for e in expected}
    incidents, clusters = defaultdict(list), defaultdict(list)
    same_bytes = 0
    for e in expected:
        g = e["group"] or {}
        if "duplicate_of" in g:
            first = by_id[g["duplicate_of"]]
            assert first["fields"] == e["fields"]
            same_bytes += first["sha256"] == e["sha256"]
        if "incident" in g:
            incidents[g["incident"]].append(e)
        if "cluster" in g:
            clusters[g["cluster"]].append(e)
        if "not_same_as" in g:
            other = by_id[g["not_same_as"]]
            assert other["group"]["not_same_as"] == e["fixture_id"]
            assert {x["value"] for x in e["entities"] if x["type"] == "DOB"} != \
                   {x["value"] for x in other["entities"] if x["type"] == "DOB"}
    assert same_bytes >= 1, "the same file attached twice"
    assert incidents and all(len(v) == 2 and v[0]["fields"]["submitter.name"] != v[1]["fields"]["submitter.name"]
                             for v in incidents.values())
    for label in ("jay-smith", "vrm-ab12cde", "phone-447700900123"):
        members = clusters[label]
        assert 3 <= len(members) <= 5
        assert all(any(x.get("cluster") == label for x in m["entities"]) for m in members)
        agencies = {m["fields"].get("submitter.agency") or m["fixture_id"] for m in members}
        assert len(agencies) == len(members), f"{label}: reports should come from different agencies"


def test_generator_is_deterministic(tmp_path, expected):
    run_generator(tmp_path)
    again = {json.loads(p.read_text())["fixture_id"]: json.loads(p.read_text())["sha256"]
             for p in (tmp_path / "forms").glob("*.expected.json")}
    # Encryption draws a random salt and IV by design; everything else is byte-identical.
    before = {e["fixture_id"]: e["sha256"] for e in expected if e["expected_exception"] != "encrypted_document"}
    assert {k: again[k] for k in before} == before and again.keys() == {e["fixture_id"] for e in expected}


# -- the date writers behind report_datetime / DOB ---------------------------

@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda t: t.replace(second=0, microsecond=0)))
def test_written_dates_carry_the_value_they_claim(t):
    sys.path.insert(0, str(GENERATOR.parent))
    from formgen.fakes import DATE_STYLES, DATETIME_STYLES

    for style in DATETIME_STYLES + [lambda x, s=s: s(x.date()) for s in DATE_STYLES]:
        text, iso = style(t)
        value = dt.datetime.fromisoformat(iso) if "T" in iso else dt.date.fromisoformat(iso)
        assert value == (t if "T" in iso else t.date())
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        assert t.day in numbers and (t.year in numbers or t.year % 100 in numbers), text
        if "T" in iso:
            h12 = t.hour % 12 or 12
            assert t.hour in numbers or h12 in numbers or int(f"{t.hour:02d}{t.minute:02d}") in numbers, text
            assert t.minute == 0 or t.minute in numbers or int(f"{t.hour:02d}{t.minute:02d}") in numbers, text


# -- the blind variant set (fixtures/make_variants.py) ---------------------------

VARIANTS = REPO / "fixtures" / "make_variants.py"


@pytest.fixture(scope="module")
def variant_parts(tmp_path_factory) -> dict[str, list[tuple[Path, dict]]]:
    out = tmp_path_factory.mktemp("variants")
    parts = {}
    for part in ("dev", "heldout"):
        subprocess.run([sys.executable, str(VARIANTS), "--part", part, "--quick", "--out", str(out)],
                       check=True, capture_output=True, timeout=120)
        forms = out / part / "forms"
        parts[part] = [(forms, json.loads(p.read_text())) for p in sorted(forms.glob("*.expected.json"))]
    return parts


def test_variant_ground_truth_is_in_its_documents(variant_parts):
    checked = 0
    for part, items in variant_parts.items():
        assert len(items) > 30, part
        for forms, e in items:
            assert hashlib.sha256((forms / e["document"]).read_bytes()).hexdigest() == e["sha256"]
            if e["expected_status"] == "parsed":
                assert set(e["fields"]) == TEMPLATE_FIELDS[e["template"]], e["fixture_id"]
            if e["format"] != "docx" or e["template"] in (None, "free_text"):
                continue
            text = docx_text(docx_xml(forms / e["document"]))  # soft hyphens are w:softHyphen, not text
            assert "\u00ad" not in json.dumps(e["fields"])
            for key, v in e["fields"].items():
                if v is None or key in NON_TEXT - {"subject.age"}:
                    continue
                assert str(v) in text, (part, e["fixture_id"], key)
                checked += 1
    assert checked > 300


def test_variant_parts_are_written_in_different_words():
    sys.path.insert(0, str(REPO / "fixtures"))
    try:
        from formgen import variants as vs
    finally:
        sys.path.remove(str(REPO / "fixtures"))
    when = dt.datetime(2026, 4, 3, 14, 30)
    writings = {part: {f(when) for f in vs.TIME_WRITINGS[part]} for part in vs.PARTS}
    assert not writings["dev"] & writings["heldout"]
    for pool in (vs.CONTACT_FORMATS, vs.TICKS, vs.MET_BOX1, vs.FIRST, vs.LAST, vs.SHARED_WITH, vs.EMAIL_DOMAINS):
        assert not set(pool["dev"]) & set(pool["heldout"]), pool
    assert not {a for a, _, _ in vs.AGENCIES["dev"]} & {a for a, _, _ in vs.AGENCIES["heldout"]}
    assert vs.RELABEL["dev"] != vs.RELABEL["heldout"] and vs.SEEDS["dev"] != vs.SEEDS["heldout"]
