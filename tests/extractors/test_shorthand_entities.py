"""Issue 23: entities as partner agencies write them in a hurry — clipped
dates and times resolved against the report's date, plates in any case,
e-mails written [at]/(dot), handles as profile addresses, numbered gangs,
addresses with clipped or no street words — and the ordinary text around
them that must stay nothing."""

from datetime import date

import pytest

from tests.extractors.helpers import run, values

WED = date(2026, 3, 4)  # report date: a Wednesday


@pytest.mark.parametrize("text,want", [
    ("Sun 1/3 - seen outside the shop.", ["2026-03-01"]),
    ("Fri 27/2 to Sun he was missing.", ["2026-02-27", "2026-03-01"]),
    ("the 23rd, 11.15pm - called to the flat", ["2026-02-23T23:15"]),
    ("the 28th he was seen", ["2026-02-28"]),
    ("the 5th he was seen", ["2026-02-05"]),  # after the report's own day: last month
    ("stopped ystday approx 2215hrs", ["2026-03-03T22:15"]),
    ("Ystday 4.20pm in the park", ["2026-03-03T16:20"]),
    ("seen yday", ["2026-03-03"]),
    ("seen w/e 14/2 at the flat", ["2026-02-14"]),
    ("Mon 1530hrs - park", ["2026-03-02T15:30"]),
    ("absent Mon + Tues.", ["2026-03-02", "2026-03-03"]),
    ("Night log Sat: left", ["2026-02-28"]),
    ("missing from 11/2 1900.", ["2026-02-11T19:00"]),
    ("A&E 14/02 0230: F aged 15", ["2026-02-14T02:30"]),
    ("14/2 - Yr 8 girl said", ["2026-02-14"]),
    ("the 28th approx 2130 by them", ["2026-02-28T21:30"]),
    ("picked up fri/sat nights", ["fri/sat nights"]),
    ("meets them tues & thurs eves", ["tues & thurs eves"]),
    ("out most eves and every wkend", ["most eves", "every wkend"]),
    ("0120 she rang from a new number.", ["01:20"]),
    ("seen approx 1745hrs by staff", ["17:45"]),
    ("dropped back at 6.45am", ["06:45"]),
    ("seen 20/3 at the park", ["2026-03-20"]),  # a few days ahead: this year's
])
def test_shorthand_dates_resolve_against_the_report(text, want):
    assert values(text, "DATETIME", "datetime", report_date=WED) == want


@pytest.mark.parametrize("text", [
    "she sat on the wall with them",
    "read it in the Sun newspaper",
    "the shop is open 24/7",
    "3/4 of them were girls",
    "it was the 3rd time he came to the 2nd floor",
    "they met from 2019 until 2021",
    "he sold 2000 of them",
    "card ending 4471",
])
def test_ordinary_text_is_not_a_date(text):
    assert values(text, "DATETIME", "datetime", report_date=WED) == []


def test_a_relative_shorthand_date_without_a_report_date_keeps_its_text():
    assert values("seen ystday", "DATETIME", "datetime", report_date=None) == ["ystday"]


@pytest.mark.parametrize("text,want", [
    ("got into a car yw72 VAC", "YW72VAC"),
    ("reg sj15 CMM", "SJ15CMM"),
    ("VRM: Lk16 Yhb;", "LK16YHB"),
    ("white VW Golf KX19.LPT;", "KX19LPT"),
    ("grey Audi pk68.dmz seen", "PK68DMZ"),
    ("black Range Rover reg MF21\nOWP.", "MF21OWP"),
])
def test_plates_in_any_case_with_dots_or_split(text, want):
    assert values(text, "VRM", "vrm") == [want]


@pytest.mark.parametrize("text", [
    "On12 Dec he drove there", "the Yr 11 boy got in the car", "yr10 boys in the car",
    "Room12 Key", "He was In12 Mar in the car",
])
def test_mixed_case_prose_is_not_a_plate(text):
    assert values(text, "VRM", "vrm") == []


@pytest.mark.parametrize("text,want", [
    ("email ellis.b07[at]example.com", "ellis.b07@example.com"),
    ("a.hussain82 (at) example (dot) co (dot) uk", "a.hussain82@example.co.uk"),
    ("contact dmoney[at]example[dot]com;", "dmoney@example.com"),
    ("liamford_1 [at] example.com", "liamford_1@example.com"),
    ("k.ahmed.88(at)example(dot)com", "k.ahmed.88@example.com"),
])
def test_emails_written_to_dodge_harvesters(text, want):
    assert values(text, "EMAIL", "email") == [want]


def test_a_bare_at_is_prose_not_an_email():
    assert values("we met at (at) the shop, example dot com", "EMAIL", "email") == []


@pytest.mark.parametrize("text,want", [
    ("insta: instagram.com/mase_x10", ["instagram:mase_x10"]),
    ("his tiktok tiktok.com/@kyrie.23s.", ["tiktok:kyrie.23s"]),
    ("account snapchat.com/add/liltee_07", ["snapchat:liltee_07"]),
    ("new one https://www.instagram.com/chlo.xo_/ today", ["instagram:chlo.xo_"]),
    ("facebook.com/jamie.oak.77", ["facebook:jamie.oak.77"]),
    ("see youtube.com/watch and example.com/about", []),
])
def test_handles_written_as_profile_addresses(text, want):
    assert values(text, "SOCIAL_HANDLE", "social_handle") == want


def test_a_profile_address_is_not_also_an_app_mention():
    ms = run("posts on instagram.com/brandz.fenton daily", report_date=WED)
    assert [(m.type, m.value) for m in ms if m.type in ("APP", "SOCIAL_HANDLE")] == [
        ("SOCIAL_HANDLE", "instagram:brandz.fenton")]


@pytest.mark.parametrize("text,want", [
    ('Lads say it\'s "the 23s patch".', ["23s"]),
    ("he was attacked by the 23s.", ["23s"]),
    ("Assoc: Block 7.", ["Block 7"]),
    ('runs the "Zone 9" line into Leek', ["Zone 9"]),
    ("two wearing Zone 9 colours", ["Zone 9"]),
    ("Admits driving for Block 7 now", ["Block 7"]),
    ("music from the 90s and the under 14s team", []),
    ("he is in Year 9 and Room 4", []),
])
def test_numbered_gangs(text, want):
    assert values(text, "GANG", "gang", "alias") == want


@pytest.mark.parametrize("text,want", [
    ("Seen at 110 Heronsgate, Chesterfield today.", ["110 Heronsgate, Chesterfield"]),
    ("Addr: 88 Heronsgate, Hasland", ["88 Heronsgate, Hasland"]),
    ("went to 50 Heronsgate, Newbold (S41 7TB)", ["50 Heronsgate, Newbold"]),
    ("gave address 3 Larkspur Cl, Bucknall", ["3 Larkspur Cl, Bucknall"]),
    ("called to 75 Hollybush Ln re noise", ["75 Hollybush Ln"]),
    ("to 9 Clayton Gr, Newcastle", ["9 Clayton Gr, Newcastle"]),
    ("aged 15 Hanley, Stoke", []),
    ("since 12 March, Leeds", []),
    ("she had 20 Marlboro, Jack said", []),
])
def test_addresses_with_clipped_or_no_street_word(text, want):
    assert values(text, "ADDRESS", "named_places") == want


@pytest.mark.parametrize("text,want", [
    ("girl approx 14 very drunk", ["14"]),
    ("F pt approx 15 intox", ["15"]),
    ("Pt (15) attended", ["15"]),
    ("girl approx 14 at 2130", ["14"]),
])
def test_ages_in_clipped_notes(text, want):
    assert values(text, "AGE", "age") == want


def test_a_surname_in_capitals_is_part_of_the_name_not_a_car():
    ms = run("Supervision note: Liam FORD reports staying with friends.", report_date=WED)
    assert [(m.type, m.value) for m in ms if m.type in ("PERSON", "VEHICLE")] == [("PERSON", "Liam FORD")]


def test_a_label_before_a_name_is_not_part_of_it():
    ms = run("Mon 9/2 - POI Darren HOLMES seen handing a package to a boy.", report_date=WED)
    assert [m.value for m in ms if m.type == "PERSON"] == ["Darren HOLMES"]


def test_role_words_are_not_people():
    ms = run("Pt disclosed she meets men online. Subj said nothing. Pt's mum rang.", report_date=WED)
    assert [m.value for m in ms if m.type == "PERSON"] == []


def test_a_nickname_repeated_is_still_a_nickname():
    ms = run('She is driven to Stoke by "Skinny". Skinny\'s email is skinny.t[at]example.net.',
             report_date=WED)
    assert [(m.type, m.value) for m in ms if m.type in ("PERSON", "ALIAS")] == [
        ("ALIAS", "Skinny"), ("ALIAS", "Skinny")]


def test_label_value_lists():
    text = ("Nominal: Dean WALSH; DOB: 02.11.1999; Mob: 07700 900271; Veh: cx18 kft; Assoc: Zone 4; "
            "Addr: 14 Ash Cl, Meir, st3 6ab.")
    got = {(m.type, m.value) for m in run(text, report_date=WED)}
    assert {("PERSON", "Dean WALSH"), ("DOB", "1999-11-02"), ("PHONE", "+447700900271"),
            ("VRM", "CX18KFT"), ("GANG", "Zone 4"), ("ADDRESS", "14 Ash Cl, Meir"),
            ("POSTCODE", "ST3 6AB")} <= got


@pytest.mark.parametrize("text", [
    "Taxi firm (A1 Taxis) rang us.", "Jermaine's mob is 07700 900415.", "Crew called 19/1 2305 to the flat.",
])
def test_ordinary_groups_and_phones_are_not_gangs(text):
    ms = run(text, report_date=WED)
    assert [m.value for m in ms if m.type in ("GANG", "ALIAS")] == []


def test_a_quoted_message_after_a_platform_is_not_a_user_name():
    text = 'He wrote on snap: "dnt tell ur mum ur wiv me". Her snap: "kayy_x".'
    assert values(text, "SOCIAL_HANDLE", "social_handle") == ["snapchat:kayy_x"]


def test_a_partial_plate_after_partial_reg_is_open_ended():
    assert values("white BMW, partial reg KY6.", "VRM", "vrm") == ["KY6*"]


def test_clipped_colours_describe_a_vehicle():
    assert values("got into a blk Audi A3 outside", "VEHICLE", "vehicle") == ["blk audi a3"]
