"""Screenshots of every wizard page, for the user guide and for looking at the layout.

``screenshot_pages`` fills in a demo standard case (27+3, established labour, no cautions, the
unit's default preparation) page by page and saves each page as ``wizard-<step>.png``. The
senior-decision and not-given pages are not on the standard path, so a second demo case
(23+3, a 23-week discussion the senior decides against) shows them. The standard case is
saved into the context's record, so pass a demo context (``take.demo_record``), never the
live one. ``take.py`` calls it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from mgso4.core.episode import Actor
from mgso4.core.flow import Step
from mgso4.core.vocab import Role, Situation
from mgso4.gui.context import AppContext
from mgso4.gui.widgets.screen_fit import fit_to_screen
from mgso4.gui.wizard.pages_decision import DecisionPage, NotGivenPage, SeniorPage
from mgso4.gui.wizard.pages_entry import GestationPage, PatientPage, SituationPage, UserPage
from mgso4.gui.wizard.pages_infusion import LoadingPage
from mgso4.gui.wizard.wizard import NewEpisodeWizard, step_of

#: Synthetic NHS numbers (start with 9) that pass the Modulus 11 check, one per demo patient,
#: so no two demo patients share a number (``core.identifiers.modulus_11_check_digit`` gives
#: the last digit: 999000005 -> 0, 999000006 -> 9). The main screenshot record uses
#: 999 000 0018 to 999 000 0042.
DEMO_NHS_NUMBER = "999 000 0050"
SECOND_DEMO_NHS_NUMBER = "999 000 0069"


def _current_step(wizard: NewEpisodeWizard) -> Step:
    step = step_of(wizard.currentId())
    if step is None:
        raise RuntimeError("The wizard has no current page.")
    return step


def _settle() -> None:
    QApplication.processEvents()


def _save(wizard: NewEpisodeWizard, out_dir: Path, saved: list[Path]) -> None:
    _settle()
    path = out_dir / f"wizard-{_current_step(wizard).value}.png"
    wizard.grab().save(str(path))
    saved.append(path)


def fill_page(wizard: NewEpisodeWizard, step: Step) -> None:
    """Fill one page with the demo standard case (27+3, established labour, default
    preparation); pages with nothing to type are left as they are."""
    page = wizard.pages[step]
    if isinstance(page, UserPage):
        page.actor.name_edit.setText("Sam Taylor")
    elif isinstance(page, PatientPage):
        page.identifier_edit.setText(DEMO_NHS_NUMBER)
        page.name_edit.setText("Demo Patient")
    elif isinstance(page, GestationPage):
        page.weeks_days_edit.setText("27+3")
    elif isinstance(page, SituationPage):
        page.situation_buttons[Situation.ESTABLISHED_LABOUR].click()
    elif isinstance(page, DecisionPage):
        if page.owns_choice():
            page.give_button.click()
    elif isinstance(page, LoadingPage):
        page.checker.name_edit.setText("Chris Lee")
    _settle()


def press_next(wizard: NewEpisodeWizard) -> None:
    """Press Next (or Save); refuse to carry on if the page did not accept its answers."""
    step = _current_step(wizard)
    before = wizard.currentId()
    wizard.next()
    _settle()
    if wizard.currentId() == before:
        raise RuntimeError(f"The demo case could not leave the {step.value} page.")


def fill_standard_case(wizard: NewEpisodeWizard, *, until: Step = Step.DONE) -> None:
    """Fill each page with the demo standard case and press Next, up to ``until``."""
    while _current_step(wizard) is not until:
        fill_page(wizard, _current_step(wizard))
        press_next(wizard)


def screenshot_pages(context: AppContext, out_dir: Path) -> list[Path]:
    """Step a demo standard case through every page and save ``wizard-<page>.png`` for each.

    Args:
        context: A demo context (the standard case is saved into its record).
        out_dir: Folder for the PNG files (created if missing).

    Returns:
        The files written, in page order.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    remembered_user = context.user
    context.user = None  # show the sign-in page too
    wizard = NewEpisodeWizard(context)
    fit_to_screen(wizard, 860, 760)
    wizard.show()
    _settle()
    try:
        while True:
            step = _current_step(wizard)
            # Fill first so each shot shows a completed page, then capture, then go on.
            fill_page(wizard, step)
            _save(wizard, out_dir, saved)
            if step is Step.DONE:
                break
            press_next(wizard)
    finally:
        wizard.close()
        wizard.deleteLater()

    if context.user is None:
        context.user = Actor(name="Sam Taylor", role=Role.MIDWIFE)
    senior_case = NewEpisodeWizard(context)
    fit_to_screen(senior_case, 860, 760)
    senior_case.show()
    _settle()
    try:
        patient = senior_case.pages[Step.PATIENT]
        assert isinstance(patient, PatientPage)
        patient.identifier_edit.setText(SECOND_DEMO_NHS_NUMBER)
        patient.name_edit.setText("Second Demo")
        press_next(senior_case)
        gestation = senior_case.pages[Step.GESTATION]
        assert isinstance(gestation, GestationPage)
        gestation.weeks_days_edit.setText("23+3")
        press_next(senior_case)
        fill_page(senior_case, Step.SITUATION)
        press_next(senior_case)
        press_next(senior_case)  # the decision page: a senior decides (next page)
        senior = senior_case.pages[Step.SENIOR]
        assert isinstance(senior, SeniorPage)
        senior.senior.name_edit.setText("Dr Morgan Reid")
        senior.no_give_button.click()
        _save(senior_case, out_dir, saved)
        press_next(senior_case)
        not_given = senior_case.pages[Step.NOT_GIVEN]
        assert isinstance(not_given, NotGivenPage)
        not_given.reason_buttons["NG-SENIOR-DECISION"].click()
        _save(senior_case, out_dir, saved)
    finally:
        senior_case.close()
        senior_case.deleteLater()
        context.user = remembered_user
    _settle()
    return saved
