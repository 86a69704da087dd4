"""Sections other apps add to the monthly report, without leads importing them.

An app registers a section from its `ready()`: `build(period, as_of)`
computes the section's figures once per report; `serialise(figures)`
returns its JSON (under `key`); `write_sheet(book, figures, report)` adds
its workbook sheet; `template` renders it on the page with `section` and
`report` in the context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSection:
    key: str
    build: Callable
    serialise: Callable
    write_sheet: Callable
    template: str


@dataclass(frozen=True)
class BuiltSection:
    key: str
    template: str
    figures: object


_SECTIONS: dict[str, ReportSection] = {}


def report_section_register(
    key: str, *, build: Callable, serialise: Callable, write_sheet: Callable, template: str
) -> None:
    """Add (or replace) the report section `key`."""
    _SECTIONS[key] = ReportSection(key, build, serialise, write_sheet, template)


def report_sections_build(report) -> list[BuiltSection]:
    """Return each registered section's figures for `report`, computed once and cached on it."""
    built = getattr(report, "_sections_built", None)
    if built is None:
        built = [
            BuiltSection(s.key, s.template, s.build(report.period, report.as_of))
            for s in _SECTIONS.values()
        ]
        object.__setattr__(report, "_sections_built", built)
    return built


def report_sections_data(report) -> dict:
    """Return {key: JSON data} of every registered section."""
    return {b.key: _SECTIONS[b.key].serialise(b.figures) for b in report_sections_build(report)}


def report_sections_write(book, report) -> None:
    """Add every registered section's sheet to the report workbook."""
    for b in report_sections_build(report):
        _SECTIONS[b.key].write_sheet(book, b.figures, report)
