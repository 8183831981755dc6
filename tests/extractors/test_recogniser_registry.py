"""Recognisers are found, not listed: every module in intake/extractors/recognisers/
gives the registry its recogniser, in run order, and the settings accept its name."""

from __future__ import annotations

import pkgutil

from intake.extractors import recognisers, registry


def test_every_recogniser_module_is_in_the_registry_in_run_order():
    modules = {info.name for info in pkgutil.iter_modules(recognisers.__path__)}
    found = {cls.__module__.rsplit(".", 1)[1] for cls in registry.RECOGNISERS.values()}
    assert found == modules
    orders = [cls.run_order for cls in registry.RECOGNISERS.values()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_the_names_the_settings_take_are_the_registrys():
    assert registry.all_names() == [*registry.RECOGNISERS, "spacy"]
    recognisers_run, spacy = registry.build(("phone", "spacy"), ())
    assert [r.name for r in recognisers_run] == ["phone"] and spacy
