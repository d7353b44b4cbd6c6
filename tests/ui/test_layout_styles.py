"""The constant stylesheet: code blocks' plain text is readable on the dark code ground."""

from __future__ import annotations

import tomllib
from pathlib import Path

from lib.palette import CODE_GROUND, CODE_TEXT
from lib.ui.layout import FIT_STYLES, PAYLOAD_CLASS


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_plain_code_text_takes_the_code_colour_and_passes_aa() -> None:
    # Without the rule a Timeline detail (no syntax colour) took the page's near-black text
    # on navy: 1.1:1 (checked in Chromium with axe: color-contrast, serious).
    assert (
        f'[data-testid="stCode"] pre, [data-testid="stCode"] pre code {{ color: {CODE_TEXT}; }}'
        in (FIT_STYLES)
    )
    light, dark = sorted((_luminance(CODE_TEXT), _luminance(CODE_GROUND)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


def test_provider_payloads_look_like_code_blocks_and_pass_aa() -> None:
    config = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
    theme = tomllib.loads(config.read_text(encoding="utf-8"))["theme"]
    assert theme["codeBackgroundColor"] == CODE_GROUND, "the same ground as st.code's"
    rule = FIT_STYLES.split(f".{PAYLOAD_CLASS} {{", 1)[1].split("}", 1)[0]
    assert f"background: {CODE_GROUND};" in rule and f"color: {CODE_TEXT};" in rule
    assert "monospace" in rule and "white-space: pre-wrap" in rule
