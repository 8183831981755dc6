""".txt and .html attachments in any charset read as what they say: the
readers decode with the detector that sniffs attachments (charset-normalizer
behind sniff.text_encoding), not with a cp1252 fallback that turned every
non-UTF-8 text into mojibake."""

from __future__ import annotations

import pytest

from intake.parsers import parse_document, sniff_media_type
from intake.parsers.readers import read_layout
from intake.parsers.support.text_decode import decode_text
from intake.types import Document, sha256_hex

# The same report in the languages whose legacy encodings a UK force still
# receives; each long enough to be a report, short enough to be a real one.
REPORTS = {
    "shift_jis": "児童の安全に関する情報です。昨日の夕方、駅の近くで少女が年上の男性の車に乗るのを見ました。"
                 "車は黒いアウディで、ナンバーは AB12 CDE でした。",
    "gb18030": "关于儿童安全的信息。昨天傍晚，我在车站附近看到一个女孩上了一个年长男子的车。"
               "那辆车是黑色的奥迪，车牌号是 AB12 CDE。",
    "koi8_r": "Информация о безопасности ребёнка. Вчера вечером я видел, как девочка села в машину "
              "пожилого мужчины у вокзала. Машина была чёрная Ауди, номер AB12 CDE.",
    "cp1251": "Информация о безопасности ребёнка. Вчера вечером я видел, как девочка села в машину "
              "пожилого мужчины у вокзала. Машина была чёрная Ауди, номер AB12 CDE.",
    "euc_kr": "아동 안전에 관한 정보입니다. 어제 저녁 역 근처에서 소녀가 나이 많은 남자의 차에 타는 것을 "
              "보았습니다. 차는 검은색 아우디였고 번호판은 AB12 CDE였습니다.",
    "cp1252": "Café owner says the girl – about 14 – was collected at 9 o’clock by a man called “Jay” "
              "in a black Audi, AB12 CDE.",
}


def _attachment(data: bytes, name: str) -> Document:
    return Document("attachment", name, sniff_media_type(data, name), sha256_hex(data), data)


@pytest.mark.parametrize("codec", sorted(REPORTS))
def test_a_text_attachment_in_a_legacy_charset_reads_right(codec):
    text = REPORTS[codec]
    data = text.encode(codec)
    assert decode_text(data) == text
    out = parse_document(_attachment(data, "report.txt"))
    assert out.status == "parsed", out.exception
    assert out.text == text
    assert out.record.fields["incident.narrative"].value == text


@pytest.mark.parametrize("codec,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                       ("utf-16-le", b""), ("utf-16-be", b"")])
def test_utf16_with_or_without_a_bom(codec, bom):
    text = ("Kayla told staff that an older man called Jay picks her up after school in a black "
            "Audi and takes her to a flat on Mill Lane.")
    data = bom + text.encode(codec)
    assert decode_text(data) == text
    assert read_layout(_attachment(data, "note.txt")).plain_text() == text


def test_iso_2022_jp_is_decoded_not_left_with_its_escapes():
    text = REPORTS["shift_jis"]
    data = text.encode("iso2022_jp")
    assert decode_text(data) == text


def test_a_long_ascii_preamble_does_not_hide_the_charset():
    """The detector looks where the text is not ASCII: a log or a form
    export whose first 16 KB are ASCII and whose narrative is Shift-JIS."""
    text = "Ref: 0001 / Log export\n" + ("-" * 70 + "\n") * 400 + REPORTS["shift_jis"] + "\n"
    data = text.encode("shift_jis")
    assert len(data) > 16384 and data[:16384].isascii()
    assert decode_text(data) == text


def test_cp1252_without_a_label_still_reads():
    data = "Mo’s café – “the flat”".encode("cp1252")
    assert decode_text(data) == "Mo’s café – “the flat”"


def test_html_in_shift_jis_reads_by_its_meta_or_by_detection():
    body = f"<html><head><meta charset=\"Shift_JIS\"></head><body><p>{REPORTS['shift_jis']}</p></body></html>"
    data = body.encode("shift_jis")
    assert read_layout(_attachment(data, "page.html")).plain_text() == REPORTS["shift_jis"]
    # No <meta>: the detector.
    data = body.replace('<meta charset="Shift_JIS">', "").encode("shift_jis")
    assert read_layout(_attachment(data, "page.html")).plain_text() == REPORTS["shift_jis"]


def test_a_wrong_meta_charset_is_ignored():
    body = f"<html><head><meta charset=\"utf-8\"></head><body><p>{REPORTS['koi8_r']}</p></body></html>"
    data = body.encode("koi8_r")
    assert read_layout(_attachment(data, "page.html")).plain_text() == REPORTS["koi8_r"]


def test_anything_at_all_decodes():
    for data in (b"", b"\x00\x01\x02\xff\xfe\xfd" * 50, bytes(range(256)) * 4):
        assert isinstance(decode_text(data), str)
