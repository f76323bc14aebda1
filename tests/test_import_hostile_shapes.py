"""Hostile shapes of the XML and HTML formats (deep nesting, huge attributes, unclosed tags, many
empty rows, html.parser's quadratic case, generated tag soup), read by the real bounded parse
(imports/sandbox.py): whatever the shape, the read ends on its own — the file's rows, or a reason
about its content — well inside the CPU, memory and wall-clock bounds for its size, never by them."""

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.hostile import HEADS, SHAPES, build, huge_attribute
from imports import sandbox

FORMATS = sorted(HEADS)  # every XML/HTML format
QUICK_SIZE = 256 * 1024
# Fragments of markup as a hostile file repeats them: the known shapes and generated tag soup.
FRAGMENTS = st.one_of(
    st.sampled_from(list(SHAPES.values())),
    st.text(alphabet="<>/=\"' &#;!-?[]xabtrdTe\n", min_size=1, max_size=16).map(str.encode),
)


def read_within_bounds(format: str, data: bytes) -> tuple[float, int]:
    """Reads `data` as `format` in the bounded child; asserts the read ended on its own inside the
    bounds (the child past its wall-clock bound is killed as TOO_LONG); returns its CPU seconds and
    peak bytes."""
    limits = sandbox.Limits.for_size(len(data))
    try:
        outcome = sandbox.parse(data, format=format, mapping=None, tz="UTC", limits=limits)
        cpu, peak = outcome.cpu_seconds, outcome.peak_bytes
    except sandbox.Unreadable as failure:
        assert str(failure) not in (sandbox.TOO_LONG, sandbox.TOO_BIG), (format, len(data), failure.logged)
        cpu, peak = failure.cpu_seconds, failure.peak_bytes
    assert cpu < limits.cpu_seconds and peak < limits.memory_bytes, (format, len(data), cpu, peak)
    return cpu, peak


@pytest.mark.parametrize("shape", [*SHAPES, "huge attribute"])
@pytest.mark.parametrize("format", FORMATS)
def test_each_shape_of_each_format_is_read_inside_the_bounds(format, shape):
    data = (
        huge_attribute(format, QUICK_SIZE) if shape == "huge attribute" else build(format, [SHAPES[shape]], QUICK_SIZE)
    )
    read_within_bounds(format, data)


def shapes(max_size: int):
    return st.tuples(
        st.sampled_from(FORMATS),
        st.lists(FRAGMENTS, min_size=1, max_size=4),
        # Sizes anywhere up to the bound, and half of them in its upper half.
        st.one_of(st.integers(min_value=1024, max_value=max_size), st.integers(max_size // 2, max_size)),
        st.booleans(),
    )


def read_generated(case) -> None:
    format, fragments, size, huge = case
    data = build(format, fragments, size)
    if huge:  # a huge attribute in the middle of the shape
        data = data[: size // 2] + huge_attribute(format, size // 2)[len(HEADS[format]) :] + data[size // 2 :]
    read_within_bounds(format, data)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(shapes(1024 * 1024))
def test_generated_shapes_up_to_a_megabyte_are_read_inside_the_bounds(case):
    read_generated(case)


@pytest.mark.long
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(shapes(django_settings.IMPORT_MAX_BYTES))
def test_generated_shapes_up_to_the_size_limit_are_read_inside_the_bounds(case):
    read_generated(case)


@pytest.mark.long
@pytest.mark.parametrize("shape", [*SHAPES, "huge attribute"])
@pytest.mark.parametrize("format", FORMATS)
def test_each_shape_at_the_size_limit_is_read_inside_the_bounds(format, shape):
    size = django_settings.IMPORT_MAX_BYTES
    data = huge_attribute(format, size) if shape == "huge attribute" else build(format, [SHAPES[shape]], size)
    read_within_bounds(format, data)
