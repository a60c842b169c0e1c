"""The app's look: named colours, tones, one stylesheet, the font and the minimum target size.

Every colour the screens use is named here, and every text colour is declared together with
the background it sits on, so ``tests/gui/test_style.py`` can compute the WCAG 2.2 contrast
ratio of every pair (at least 4.5:1 for normal text, success criterion 1.4.3). Colour is never
the only cue: every tone that means something (overdue, warning, training) also carries an
icon and words where it is used.

Targets: every button and input is at least :data:`TARGET_MIN_PX` high (WCAG 2.2 success
criterion 2.5.8 asks for 24 CSS px; the app uses more because gloved hands at 3 a.m. miss).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from mgso4.resources import resource_path

#: WCAG 2.2 minimum contrast for normal-size text (SC 1.4.3, level AA).
MIN_TEXT_CONTRAST = 4.5
#: WCAG 2.2 minimum contrast for borders, focus rings and icons (SC 1.4.11, level AA).
MIN_NON_TEXT_CONTRAST = 3.0
#: WCAG 2.2 SC 2.5.8 minimum target size, CSS px.
WCAG_TARGET_PX = 24
#: The height every button and input is given (more than the WCAG minimum, see module doc).
TARGET_MIN_PX = 32
#: Base font size in points; the ward board uses a larger one.
BASE_FONT_PT = 11
BOARD_FONT_PT = 13


class Colour:
    """Named colours (hex sRGB). Text colours are only ever used on the backgrounds paired
    with them in :data:`TONES` and :data:`RULES`."""

    TEXT = "#1b1f23"
    TEXT_MUTED = "#4b5258"
    WINDOW = "#f4f5f7"
    SURFACE = "#ffffff"
    SURFACE_ALT = "#eef0f3"
    HEADER = "#e3e6ea"
    BORDER = "#6b7177"
    GRID = "#c4c8cc"
    PRIMARY = "#0b5394"
    PRIMARY_DARK = "#08427a"
    ON_PRIMARY = "#ffffff"
    FOCUS = "#c25e00"
    DISABLED_TEXT = "#595959"
    DISABLED_BG = "#ebebeb"
    SELECTION = "#08427a"
    ON_SELECTION = "#ffffff"
    CRITICAL = "#a50e0e"
    CRITICAL_TEXT = "#7a0a0a"
    CRITICAL_BG = "#fde8e8"
    WARNING = "#b35c00"
    WARNING_TEXT = "#5c3d00"
    WARNING_BG = "#fff1c2"
    INFO = "#0b5394"
    INFO_TEXT = "#0b3d6e"
    INFO_BG = "#e7f0fa"
    OK = "#1e7b34"
    OK_TEXT = "#0d4a20"
    OK_BG = "#e4f3e8"
    TRAINING = "#5b2a86"
    ON_TRAINING = "#ffffff"
    ON_CRITICAL = "#ffffff"


class ToneName(StrEnum):
    """What a coloured surface means. Widgets carry it as the ``tone`` property."""

    NEUTRAL = "neutral"
    INFO = "info"
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    URGENT = "urgent"
    TRAINING = "training"


@dataclass(frozen=True)
class Tone:
    """A text colour, the background it sits on, and a border/accent colour."""

    fg: str
    bg: str
    border: str


TONES: dict[ToneName, Tone] = {
    ToneName.NEUTRAL: Tone(Colour.TEXT, Colour.SURFACE, Colour.BORDER),
    ToneName.INFO: Tone(Colour.INFO_TEXT, Colour.INFO_BG, Colour.INFO),
    ToneName.OK: Tone(Colour.OK_TEXT, Colour.OK_BG, Colour.OK),
    ToneName.WARNING: Tone(Colour.WARNING_TEXT, Colour.WARNING_BG, Colour.WARNING),
    ToneName.CRITICAL: Tone(Colour.CRITICAL_TEXT, Colour.CRITICAL_BG, Colour.CRITICAL),
    # The strongest level: white on solid red, for an alert overdue long enough to escalate.
    ToneName.URGENT: Tone(Colour.ON_CRITICAL, Colour.CRITICAL, Colour.CRITICAL_TEXT),
    ToneName.TRAINING: Tone(Colour.ON_TRAINING, Colour.TRAINING, Colour.TRAINING),
}


@dataclass(frozen=True)
class StyleRule:
    """One stylesheet block.

    ``fg`` is the text colour set; ``bg`` the background set. When a rule sets text colour
    but leaves the background transparent, ``on`` names the background the text sits on, so
    the contrast test can check it. ``transparent`` False leaves the background out of the
    block altogether: a ``QWidget`` rule must not say "transparent", because it would beat the
    window rule of equal specificity and top-level windows would paint black on a real X
    server (offscreen rendering hides that).
    """

    selector: str
    fg: str | None = None
    bg: str | None = None
    on: str | None = None
    extra: str = ""
    transparent: bool = True

    @property
    def text_background(self) -> str | None:
        """The background the text of this rule is drawn on."""
        return self.bg or self.on

    def css(self) -> str:
        """The block as Qt stylesheet text."""
        parts = []
        if self.fg:
            parts.append(f"color: {self.fg};")
        if self.bg:
            parts.append(f"background-color: {self.bg};")
        elif self.fg and self.transparent:
            parts.append("background-color: transparent;")
        if self.extra:
            parts.append(self.extra)
        return f"{self.selector} {{ {' '.join(parts)} }}"


def _tone_rules() -> list[StyleRule]:
    rules: list[StyleRule] = []
    for name, tone in TONES.items():
        rules.append(
            StyleRule(
                f'QFrame[tone="{name}"]',
                fg=tone.fg,
                bg=tone.bg,
                extra=f"border: 2px solid {tone.border}; border-radius: 4px;",
            )
        )
        rules.append(StyleRule(f'QFrame[tone="{name}"] QLabel', fg=tone.fg, on=tone.bg))
        # Banner titles: bold, and bigger again at the urgent level (escalation shows in size,
        # not in colour alone).
        size = BOARD_FONT_PT + (3 if name is ToneName.URGENT else 1)
        rules.append(
            StyleRule(
                f'QFrame[tone="{name}"] QLabel[role="banner-title"]',
                fg=tone.fg,
                on=tone.bg,
                extra=f"font-size: {size}pt; font-weight: bold;",
            )
        )
        rules.append(
            StyleRule(
                f'QLabel[tone="{name}"]',
                fg=tone.fg,
                bg=tone.bg,
                extra=f"border: 2px solid {tone.border}; border-radius: 4px; padding: 4px 8px;",
            )
        )
    return rules


_TARGET = f"min-height: {TARGET_MIN_PX}px;"
_SELECTION = (
    f"selection-background-color: {Colour.SELECTION}; selection-color: {Colour.ON_SELECTION};"
)

#: Every block of the stylesheet, in order (later blocks win on equal specificity).
RULES: tuple[StyleRule, ...] = (
    StyleRule("QMainWindow, QDialog, QWizard", fg=Colour.TEXT, bg=Colour.WINDOW),
    StyleRule(
        "QWidget",
        fg=Colour.TEXT,
        on=Colour.WINDOW,
        extra=f"font-size: {BASE_FONT_PT}pt;",
        transparent=False,
    ),
    StyleRule("QLabel", fg=Colour.TEXT, on=Colour.WINDOW),
    StyleRule('QLabel[role="muted"]', fg=Colour.TEXT_MUTED, on=Colour.WINDOW),
    StyleRule(
        'QLabel[role="heading"]', fg=Colour.TEXT, on=Colour.WINDOW, extra="font-weight: bold;"
    ),
    StyleRule(
        'QLabel[role="field-error"]',
        fg=Colour.CRITICAL,
        on=Colour.WINDOW,
        extra="font-weight: bold;",
    ),
    StyleRule('QLabel[role="field-note"]', fg=Colour.WARNING_TEXT, on=Colour.WINDOW),
    StyleRule(
        'QLabel[role="clock"]',
        fg=Colour.TEXT,
        on=Colour.WINDOW,
        extra=f"font-size: {BOARD_FONT_PT}pt; font-weight: bold;",
    ),
    StyleRule(
        "QPushButton, QToolButton",
        fg=Colour.ON_PRIMARY,
        bg=Colour.PRIMARY,
        extra=(
            f"{_TARGET} padding: 2px 14px; "
            f"border: 2px solid {Colour.PRIMARY_DARK}; border-radius: 4px; font-weight: bold;"
        ),
    ),
    StyleRule("QPushButton:hover, QToolButton:hover", fg=Colour.ON_PRIMARY, bg=Colour.PRIMARY_DARK),
    StyleRule(
        "QPushButton:focus, QToolButton:focus",
        fg=Colour.ON_PRIMARY,
        bg=Colour.PRIMARY_DARK,
        extra=f"border: 3px solid {Colour.FOCUS};",
    ),
    StyleRule(
        'QPushButton[role="secondary"]',
        fg=Colour.PRIMARY,
        bg=Colour.SURFACE,
        extra=f"border: 2px solid {Colour.PRIMARY};",
    ),
    StyleRule('QPushButton[role="secondary"]:hover', fg=Colour.PRIMARY_DARK, bg=Colour.INFO_BG),
    StyleRule(
        'QPushButton[role="secondary"]:focus',
        fg=Colour.PRIMARY_DARK,
        bg=Colour.INFO_BG,
        extra=f"border: 3px solid {Colour.FOCUS};",
    ),
    StyleRule(
        'QPushButton[role="danger"]',
        fg=Colour.ON_CRITICAL,
        bg=Colour.CRITICAL,
        extra=f"border: 2px solid {Colour.CRITICAL_TEXT};",
    ),
    StyleRule('QPushButton[role="danger"]:hover', fg=Colour.ON_CRITICAL, bg=Colour.CRITICAL_TEXT),
    StyleRule(
        'QPushButton[role="danger"]:focus',
        fg=Colour.ON_CRITICAL,
        bg=Colour.CRITICAL_TEXT,
        extra=f"border: 3px solid {Colour.FOCUS};",
    ),
    StyleRule(
        "QPushButton:disabled, QToolButton:disabled",
        fg=Colour.DISABLED_TEXT,
        bg=Colour.DISABLED_BG,
        extra=f"border: 2px solid {Colour.DISABLED_BG};",
    ),
    StyleRule(
        "QLineEdit, QPlainTextEdit, QComboBox, QSpinBox, QDoubleSpinBox, QDateTimeEdit",
        fg=Colour.TEXT,
        bg=Colour.SURFACE,
        extra=(
            f"{_TARGET} padding: 2px 6px; border: 1px solid {Colour.BORDER}; border-radius: 3px; "
            f"{_SELECTION}"
        ),
    ),
    StyleRule(
        "QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus",
        fg=Colour.TEXT,
        bg=Colour.SURFACE,
        extra=f"border: 2px solid {Colour.FOCUS};",
    ),
    StyleRule(
        'QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"]',
        fg=Colour.TEXT,
        bg=Colour.SURFACE,
        extra=f"border: 2px solid {Colour.CRITICAL};",
    ),
    StyleRule(
        "QLineEdit:disabled, QComboBox:disabled",
        fg=Colour.DISABLED_TEXT,
        bg=Colour.DISABLED_BG,
    ),
    StyleRule(
        "QComboBox QAbstractItemView",
        fg=Colour.TEXT,
        bg=Colour.SURFACE,
        extra=_SELECTION,
    ),
    StyleRule(
        "QCheckBox, QRadioButton",
        fg=Colour.TEXT,
        on=Colour.WINDOW,
        extra=f"{_TARGET} spacing: 8px;",
    ),
    # Drawn here, not left to the platform style: with a stylesheet the Fusion style draws no
    # box at all for an unticked check box or radio button, so in a dialog the choice was
    # invisible until ticked.
    StyleRule(
        "QCheckBox::indicator, QRadioButton::indicator",
        extra=(
            f"width: 18px; height: 18px; border: 2px solid {Colour.BORDER}; "
            f"background-color: {Colour.SURFACE};"
        ),
    ),
    StyleRule("QRadioButton::indicator", extra="border-radius: 11px;"),
    StyleRule("QCheckBox::indicator", extra="border-radius: 3px;"),
    StyleRule(
        "QRadioButton::indicator:checked",
        extra=(
            f"border: 2px solid {Colour.PRIMARY}; background-color: qradialgradient(cx:0.5, "
            f"cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 {Colour.PRIMARY}, stop:0.45 "
            f"{Colour.PRIMARY}, stop:0.55 {Colour.SURFACE}, stop:1 {Colour.SURFACE});"
        ),
    ),
    StyleRule(
        "QCheckBox::indicator:checked",
        extra=f"border: 2px solid {Colour.PRIMARY_DARK}; background-color: {Colour.PRIMARY};",
    ),
    StyleRule(
        "QCheckBox::indicator:disabled, QRadioButton::indicator:disabled",
        extra=f"border: 2px solid {Colour.GRID}; background-color: {Colour.DISABLED_BG};",
    ),
    StyleRule(
        "QTableView, QTreeView, QListView",
        fg=Colour.TEXT,
        bg=Colour.SURFACE,
        extra=(
            f"alternate-background-color: {Colour.SURFACE_ALT}; gridline-color: {Colour.GRID}; "
            f"{_SELECTION} border: 1px solid {Colour.BORDER};"
        ),
    ),
    StyleRule(
        "QHeaderView::section",
        fg=Colour.TEXT,
        bg=Colour.HEADER,
        extra=(
            f"padding: 6px; border: 0; border-bottom: 1px solid {Colour.BORDER}; font-weight: bold;"
        ),
    ),
    StyleRule("QStatusBar", fg=Colour.TEXT, bg=Colour.HEADER),
    StyleRule("QStatusBar QLabel", fg=Colour.TEXT, on=Colour.HEADER),
    StyleRule("QToolTip", fg=Colour.SURFACE, bg=Colour.TEXT, extra="border: 0; padding: 4px;"),
    StyleRule(
        "QGroupBox",
        fg=Colour.TEXT,
        on=Colour.WINDOW,
        extra=(
            f"border: 1px solid {Colour.GRID}; border-radius: 4px; margin-top: 14px; "
            "padding-top: 8px; font-weight: bold;"
        ),
    ),
    StyleRule(
        "QGroupBox::title",
        fg=Colour.TEXT,
        on=Colour.WINDOW,
        extra="subcontrol-origin: margin; left: 8px; padding: 0 4px;",
    ),
    StyleRule(
        'QFrame[role="card"]',
        fg=Colour.TEXT,
        bg=Colour.SURFACE,
        extra=f"border: 1px solid {Colour.GRID};",
    ),
    StyleRule('QFrame[role="card"] QLabel', fg=Colour.TEXT, on=Colour.SURFACE),
    StyleRule('QFrame[role="card"] QLabel[role="muted"]', fg=Colour.TEXT_MUTED, on=Colour.SURFACE),
    StyleRule(
        'QFrame[role="card"] QLabel[role="title"]',
        fg=Colour.TEXT,
        on=Colour.SURFACE,
        extra=f"font-size: {BOARD_FONT_PT + 4}pt; font-weight: bold;",
    ),
    StyleRule(
        'QFrame[role="card"] QLabel[role="emphasis"]',
        fg=Colour.TEXT,
        on=Colour.SURFACE,
        extra=f"font-size: {BOARD_FONT_PT}pt; font-weight: bold;",
    ),
    *_tone_rules(),
    StyleRule(
        'QLabel[role="training-banner"]',
        fg=Colour.ON_TRAINING,
        bg=Colour.TRAINING,
        extra=(
            f"font-size: {BOARD_FONT_PT}pt; font-weight: bold; padding: 6px 12px; "
            f"border-bottom: 4px dashed {Colour.ON_TRAINING};"
        ),
    ),
)

#: Colours painted outside the stylesheet (models' colour roles, the palette): text, background.
MODEL_PAIRS: dict[str, tuple[str, str]] = {
    "row": (Colour.TEXT, Colour.SURFACE),
    "row-alt": (Colour.TEXT, Colour.SURFACE_ALT),
    "selected": (Colour.ON_SELECTION, Colour.SELECTION),
    "voided": (Colour.TEXT_MUTED, Colour.SURFACE),
    "voided-alt": (Colour.TEXT_MUTED, Colour.SURFACE_ALT),
    "placeholder": (Colour.TEXT_MUTED, Colour.SURFACE),
    **{f"tone-{name}": (tone.fg, tone.bg) for name, tone in TONES.items()},
}


def stylesheet() -> str:
    """The whole application stylesheet."""
    return "\n".join(rule.css() for rule in RULES) + "\n"


def text_pairs() -> list[tuple[str, str, str]]:
    """Every (where, text colour, background) pair the app draws text with."""
    pairs = [
        (rule.selector, rule.fg, rule.text_background)
        for rule in RULES
        if rule.fg is not None and rule.text_background is not None
    ]
    pairs += [(f"model {name}", fg, bg) for name, (fg, bg) in MODEL_PAIRS.items()]
    return pairs


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of an sRGB hex colour such as ``"#1b1f23"``."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"{colour!r} is not a #rrggbb colour")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.2 contrast ratio (1 to 21) between two colours, order-independent."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@cache
def _font_family() -> str:
    family = "DejaVu Sans"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        path = resource_path("fonts", name)
        if path.is_file():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                family = families[0]
    return family


_STYLED_PROPERTY = "mgso4_styled"


def apply_style(app: QApplication) -> None:
    """Give the application its font and stylesheet (once, after QApplication exists).

    A second call does nothing: re-setting an application stylesheet re-polishes every live
    widget, including ones already queued for deletion, which can crash Qt.
    """
    if app.property(_STYLED_PROPERTY):
        return
    app.setProperty(_STYLED_PROPERTY, True)
    font = QFont(_font_family(), BASE_FONT_PT)
    app.setFont(font)
    app.setStyle("Fusion")
    palette = QPalette(app.palette())
    # The palette matches the stylesheet, for what the platform paints itself (window fill).
    palette.setColor(QPalette.ColorRole.Window, QColor(Colour.WINDOW))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(Colour.TEXT))
    palette.setColor(QPalette.ColorRole.Base, QColor(Colour.SURFACE))
    palette.setColor(QPalette.ColorRole.Text, QColor(Colour.TEXT))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(Colour.SELECTION))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(Colour.ON_SELECTION))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(Colour.TEXT_MUTED))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet())


def set_tone(widget: QWidget, tone: ToneName | str) -> None:
    """Set a widget's ``tone`` property and re-apply the stylesheet to it and its children."""
    widget.setProperty("tone", str(tone))
    repolish(widget)


def set_role(widget: QWidget, role: str) -> None:
    """Set a widget's ``role`` property (e.g. "secondary", "danger", "muted") and re-polish."""
    widget.setProperty("role", role)
    repolish(widget)


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed (Qt does not do it itself)."""
    for target in [widget, *widget.findChildren(QWidget)]:
        style = target.style()
        style.unpolish(target)
        style.polish(target)
        target.update()
