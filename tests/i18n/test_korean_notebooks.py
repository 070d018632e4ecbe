"""The Korean notebooks: made from the English source and the catalogues, graded to the same scores, fed back in Korean.

Every notebook here is the real one (`autograder/source/`, `autograder/release/`, `chapters/exercises/ko/`,
`locales/`) or made from it by `autograder.translations`; grading runs nbgrader for real, in a course copy.
"""

from __future__ import annotations

import ast
import csv
import difflib
import html
import json
import re
import shutil

import nbformat
import pytest
import yaml

from autograder import ASSIGNMENTS
from autograder.course import COURSE, release
from autograder.grading import Options, grade_class
from autograder.translations import (BEGIN_HIDDEN, EDITION_NOTE, KOREAN, LOCALES, TranslationError, _read_po,
                                     catalogue_problems, extract, fields, hangul_share, korean_notebook, language_of,
                                     messages, notebook_catalogue, notebook_template, page_problems, prose,
                                     update_catalogues)
from tests.assignments.roundtrip import course_copy, with_answer
from tests.conftest import ROOT
from tests.leaks import leaks_in_text, leaks_in_tree, readable_text

BOOK_KO = ROOT / "chapters" / "exercises" / "ko"


def source(assignment):
    return nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def _shape(code: str) -> str:
    """The code's syntax tree with every string's text blanked (an f-string keeps its fields' expressions)."""
    class Blank(ast.NodeTransformer):
        def visit_JoinedStr(self, node):
            return ast.Tuple([self.visit(v.value) for v in node.values if isinstance(v, ast.FormattedValue)], ast.Load())

        def visit_Constant(self, node):
            return ast.Constant("") if isinstance(node.value, str) else node

    return ast.dump(Blank().visit(ast.parse(code)))


def _nbgrader(cell) -> dict:
    meta = dict(cell.get("metadata", {}).get("nbgrader", {}))
    meta.pop("checksum", None)  # nbgrader's checksum of a released cell covers its source, which is translated
    return meta


def assert_same_notebook_but_the_words(english, korean):
    """Same cells, types, ids and nbgrader metadata; code identical but for the text of its message strings;
    hidden tests byte for byte."""
    assert len(korean.cells) == len(english.cells)
    for en, ko in zip(english.cells, korean.cells):
        assert (ko.cell_type, ko.get("id"), _nbgrader(ko)) == (en.cell_type, en.get("id"), _nbgrader(en))
        assert {k: v for k, v in ko.metadata.items() if k != "nbgrader"} == {k: v for k, v in en.metadata.items() if k != "nbgrader"}
        if en.cell_type != "code":
            continue
        grade_id = en.metadata.get("nbgrader", {}).get("grade_id")
        if not en.metadata.get("nbgrader", {}).get("grade"):
            assert ko.source == en.source, f"{grade_id}: only test cells are translated"
            continue
        en_visible, _, en_hidden = en.source.partition(BEGIN_HIDDEN)
        ko_visible, _, ko_hidden = ko.source.partition(BEGIN_HIDDEN)
        assert ko_hidden == en_hidden, f"{grade_id}: the hidden tests differ"
        assert _shape(ko_visible) == _shape(en_visible), f"{grade_id}: the code differs beyond its messages' text"
        for m_en, m_ko in zip(messages(en_visible, grade_id), messages(ko_visible, grade_id)):
            assert sorted(fields(m_ko.msgid)) == sorted(fields(m_en.msgid)), f"{grade_id}: {m_ko.msgid!r} changed its fields"
        first = ko.source.splitlines()[0]
        assert first.startswith('"""') and first.endswith('"""') and len(first) > 20 and hangul_share(first) > 0.2, first
    assert korean.metadata["autograder"]["language"] == KOREAN
    assert {k: v for k, v in korean.metadata.items() if k != "autograder"} == dict(english.metadata)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_korean_source_is_the_english_one_in_korean(assignment):
    """The Korean source has the English source's cells, grade ids, points, flags, code and hidden tests, byte for
    byte, with Korean markdown and Korean test messages."""
    english = source(assignment)
    korean = korean_notebook(english, assignment)
    assert_same_notebook_but_the_words(english, korean)
    said = [m.msgid for cell in korean.cells if cell.metadata.get("nbgrader", {}).get("grade")
            for m in messages(cell.source.partition(BEGIN_HIDDEN)[0], "ko")]
    assert said and sum(hangul_share(text) > 0.2 for text in said) >= 0.9 * len(said), said


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_released_korean_notebook_is_the_english_release_in_korean(assignment):
    """chapters/exercises/ko/<a>.ipynb: the English student notebook's cells and metadata, Korean words, the
    Korean source's markdown, and no solution or hidden test."""
    english = nbformat.read(ROOT / "chapters" / "exercises" / f"{assignment}.ipynb", as_version=4)
    korean = nbformat.read(BOOK_KO / f"{assignment}.ipynb", as_version=4)
    assert_same_notebook_but_the_words(english, korean)
    translated = korean_notebook(source(assignment), assignment)
    assert [c.source for c in korean.cells if c.cell_type == "markdown"] == \
        [c.source for c in translated.cells if c.cell_type == "markdown"]
    assert leaks_in_text(readable_text(BOOK_KO / f"{assignment}.ipynb")) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_korean_markdown_is_mostly_hangul(assignment):
    """Outside code and math, every markdown cell of the Korean notebook is mostly Hangul, and it says it is the
    Korean edition; the English notebook has no Hangul."""
    english = source(assignment)
    korean = nbformat.read(BOOK_KO / f"{assignment}.ipynb", as_version=4)
    shares = [hangul_share(prose(c.source)) for c in korean.cells if c.cell_type == "markdown"
              and re.search(r"[A-Za-z\uac00-\ud7af]", prose(c.source))]
    assert shares and min(shares) > 0.6, shares
    everything = "\n".join(c.source for c in korean.cells if c.cell_type == "markdown")
    assert hangul_share(prose(everything)) > 0.75 and EDITION_NOTE in korean.cells[0].source
    assert hangul_share("\n".join(c.source for c in english.cells if c.cell_type == "markdown")) == 0.0


def test_the_korean_notebooks_are_not_book_pages():
    """The book builds only the files its _toc.yml lists, and it lists no Korean notebook; the leak scan of chapters/
    (tests/test_no_leaks.py) reads them."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["only_build_toc_files"] is True
    toc = (ROOT / "_toc.yml").read_text()
    assert "exercises/ko" not in toc and "/ko/" not in toc
    assert sorted(p.name for p in BOOK_KO.glob("*.ipynb")) == sorted(f"{a}.ipynb" for a in ASSIGNMENTS)
    scanned = {p for p in (ROOT / "chapters").rglob("*.ipynb")}
    assert {p for p in BOOK_KO.glob("*.ipynb")} <= scanned and leaks_in_tree(BOOK_KO) == {}


def test_the_leak_scan_would_catch_a_korean_source(tmp_path):
    """The Korean source (solutions, hidden tests) in the book's Korean folder would be caught by the leak scan."""
    folder = tmp_path / "chapters" / "exercises" / "ko"
    folder.mkdir(parents=True)
    nbformat.write(korean_notebook(source("ex06_feature_maps"), "ex06_feature_maps"), folder / "ex06_feature_maps.ipynb")
    assert list(leaks_in_tree(tmp_path)) == ["chapters/exercises/ko/ex06_feature_maps.ipynb"]


# ---- the catalogues ---------------------------------------------------------------------------------

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_catalogues_are_complete_and_up_to_date(assignment):
    """Re-extracted from today's English source, every test message is in the Korean catalogue, translated, not
    fuzzy, with its f-string fields; the template is today's; every markdown paragraph has its translation."""
    notebook = source(assignment)
    assert catalogue_problems(notebook, assignment) == []
    assert page_problems(notebook, assignment) == []
    fresh = {m.id for m in extract(notebook, assignment) if m.id}
    assert {m.id for m in _read_po(notebook_template(assignment)) if m.id} == fresh, "run `python -m autograder catalogues`"
    po = _read_po(notebook_catalogue(assignment))
    assert all(m.string and not m.fuzzy for m in po if m.id)


@pytest.fixture
def locales(tmp_path):
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy)
    return copy


def test_an_english_edit_without_its_translation_fails(locales):
    """An edited assert message is caught — by the catalogue check, by the Korean notebook (which names it) and by
    `catalogues`, which marks it for translation; translated, all is well again."""
    a = "ex02_correlation"
    notebook = source(a)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_correlate")
    cell.source = cell.source.replace("a partner F[i, j]", "a partner F[i, j] at the same position")
    edited = "correlate(X, F) with X of shape (3, 4) and F of shape (3, 3) must raise ValueError: X[i, j] needs a partner F[i, j] at the same position"
    problems = catalogue_problems(notebook, a, locales)
    assert f"not in the catalogue: {edited!r}" in problems and any(p.startswith("no longer in the source") for p in problems)
    with pytest.raises(TranslationError, match="at the same position"):
        korean_notebook(notebook, a, locales)

    remaining = update_catalogues(notebook, a, locales)
    assert remaining in ([f"fuzzy: {edited!r}"], [f"untranslated: {edited!r}"])
    po = _read_po(notebook_catalogue(a, locales))
    po[edited].string, po[edited].flags = "X[i, j]는 같은 위치의 짝 F[i, j]가 있어야 한다", set()
    from babel.messages.pofile import write_po

    with open(notebook_catalogue(a, locales), "wb") as f:
        write_po(f, po)
    assert catalogue_problems(notebook, a, locales) == []
    assert "같은 위치의 짝" in json.dumps(korean_notebook(notebook, a, locales), ensure_ascii=False)


def test_a_translation_must_keep_the_fields(locales):
    """A Korean f-string message that drops one of the English fields is refused by name."""
    a = "ex01_image_tensors"
    po = _read_po(notebook_catalogue(a, locales))
    message = next(m for m in po if m.id and "{np.shape(grey)}" in m.id)
    message.string = message.string.replace("{np.shape(grey)}", "{grey}")
    from babel.messages.pofile import write_po

    with open(notebook_catalogue(a, locales), "wb") as f:
        write_po(f, po)
    assert any("changes the fields" in p for p in catalogue_problems(source(a), a, locales))
    with pytest.raises(TranslationError, match="must keep the fields"):
        korean_notebook(source(a), a, locales)


def test_an_untranslated_markdown_paragraph_is_named():
    """A markdown paragraph the exercise page's catalogue does not have stops the Korean notebook, naming it."""
    notebook = source("ex03_bias")
    index = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown" and i > 0)
    notebook.cells[index].source += "\n\nA new paragraph nobody translated yet.\n"
    assert [p for p in page_problems(notebook, "ex03_bias")] == [
        f"markdown cell {index}: no translation of the paragraph 'A new paragraph nobody translated yet.' in "
        f"{LOCALES / 'ko' / 'LC_MESSAGES' / 'chapters' / 'exercises' / 'ex03_bias.po'}"]
    with pytest.raises(TranslationError, match="A new paragraph nobody translated yet"):
        korean_notebook(notebook, "ex03_bias")


def test_release_writes_the_korean_notebooks(tmp_path):
    """`release` in a copy of the course writes release/<a>/ko/<a>.ipynb and the book's ko/ copy, byte for byte the
    committed chapters/exercises/ko/<a>.ipynb."""
    course = tmp_path / "autograder"
    (course / "source").mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", course)
    for a in ASSIGNMENTS:
        shutil.copytree(COURSE / "source" / a, course / "source" / a)
    book = tmp_path / "chapters" / "exercises"
    released = release(ASSIGNMENTS, course_dir=course, book_dir=book, locales=LOCALES)
    assert released == [course / "release" / a / f"{a}.ipynb" for a in ASSIGNMENTS]
    for a in ASSIGNMENTS:
        made = (course / "release" / a / "ko" / f"{a}.ipynb").read_bytes()
        assert made == (book / "ko" / f"{a}.ipynb").read_bytes() == (BOOK_KO / f"{a}.ipynb").read_bytes(), a
        assert language_of(made) == KOREAN and language_of((book / f"{a}.ipynb").read_bytes()) == "en"


def test_language_of_a_submission():
    """Metadata decides; without it (a tool dropped it) mostly-Hangul markdown does; anything unreadable is English."""
    korean = (BOOK_KO / "ex05_dot_product.ipynb").read_text()
    stripped = json.loads(korean)
    del stripped["metadata"]["autograder"]
    assert language_of(korean) == KOREAN and language_of(json.dumps(stripped)) == KOREAN
    assert language_of((ROOT / "chapters" / "exercises" / "ex05_dot_product.ipynb").read_bytes()) == "en"
    assert language_of(b'{"cells": [') == "en"


# ---- grading ----------------------------------------------------------------------------------------

OPTIONS = Options(workers=2, timeout=20, quiet=True)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_korean_solution_full_marks_korean_stub_zero(assignment, tmp_path):
    """A correct Korean notebook earns every point and the Korean student notebook none, both graded in Korean."""
    course = course_copy(tmp_path, assignment)
    folder = tmp_path / "submissions"
    folder.mkdir()
    nbformat.write(korean_notebook(source(assignment), assignment), folder / "solution.ipynb")
    shutil.copy(BOOK_KO / f"{assignment}.ipynb", folder / "stub.ipynb")
    results, failed = grade_class(assignment, folder, tmp_path / "out", OPTIONS, course=course)
    assert not failed
    by_student = {r.student_id: r for r in results}
    solution, stub = by_student["solution"], by_student["stub"]
    assert (solution.status, solution.score, solution.language) == ("graded", solution.max_score, KOREAN), solution.message
    assert (stub.status, stub.score, stub.language) == ("graded", 0.0, KOREAN), stub.message
    english_points = {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"])
                      for c in source(assignment).cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert {k: top for k, (_, top) in solution.tests.items()} == english_points


WRONG_CORRELATE = ("def correlate(X, F):\n    X, F = np.asarray(X, dtype=float), np.asarray(F, dtype=float)\n"
                   "    if X.shape != F.shape:\n        raise ValueError(f'X has shape {X.shape} but F has shape {F.shape}')\n"
                   "    return X * F\n")
#: The failure the unsummed products raise in the visible test, as the feedback shows it (fields filled in: only the
#: error output has it, not the test cell's code), in the Korean catalogue's words and in the English source's.
KOREAN_FAILURE = "AssertionError: X, F의 모양이 (3, 3)일 때 correlate(X, F)의 모양이 (3, 3)이다. 기대한 것은 스칼라 하나"
ENGLISH_FAILURE = "AssertionError: correlate(X, F) with X, F of shape (3, 3) has shape (3, 3); expected one scalar"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One class folder of ex02: Korean and English correct, Korean wrong (its metadata lost), English wrong; and the
    English students graded again on their own."""
    a = "ex02_correlation"
    tmp = tmp_path_factory.mktemp("mixed")
    course = course_copy(tmp, a)
    folder = tmp / "submissions"
    folder.mkdir()
    english = COURSE / "source" / a / f"{a}.ipynb"
    nbformat.write(korean_notebook(source(a), a), folder / "ko_correct.ipynb")
    shutil.copy(english, folder / "en_correct.ipynb")
    with_answer(folder / "ko_correct.ipynb", {"correlate": WRONG_CORRELATE}, folder / "ko_wrong.ipynb")
    lost = json.loads((folder / "ko_wrong.ipynb").read_text())
    del lost["metadata"]["autograder"]
    (folder / "ko_wrong.ipynb").write_text(json.dumps(lost))
    with_answer(english, {"correlate": WRONG_CORRELATE}, folder / "en_wrong.ipynb")
    results, failed = grade_class(a, folder, tmp / "out", OPTIONS, course=course)
    assert not failed
    alone = tmp / "english"
    alone.mkdir()
    for name in ("en_correct", "en_wrong"):
        shutil.copy(folder / f"{name}.ipynb", alone)
    english_only, failed = grade_class(a, alone, tmp / "english_out", OPTIONS, course=course_copy(tmp / "again", a))
    assert not failed
    # the pages compared below are only alike if the grades are (a cell timed out under load would differ)
    assert {r.student_id: (r.status, r.score) for r in english_only} == {
        s: (r.status, r.score) for s, r in ((r.student_id, r) for r in results) if s.startswith("en_")}, \
        {r.student_id: r.message for r in english_only}
    return course, tmp / "out", {r.student_id: r for r in results}, tmp / "english_out"


def test_a_mixed_folder_grades_each_student_right(mixed):
    """Correct notebooks score full marks and the wrong answer loses test_correlate, in either language, with the
    same per-test scores; grades.csv says each student's language."""
    _, out, results, _ = mixed
    assert {s: (r.status, r.score, r.language) for s, r in results.items()} == {
        "en_correct": ("graded", 10.0, "en"), "ko_correct": ("graded", 10.0, KOREAN),
        "en_wrong": ("graded", 8.0, "en"), "ko_wrong": ("graded", 8.0, KOREAN)}
    assert results["ko_wrong"].tests == results["en_wrong"].tests and results["ko_correct"].tests == results["en_correct"].tests
    assert results["ko_wrong"].reasons["test_correlate"].startswith(KOREAN_FAILURE.removeprefix("AssertionError: "))
    assert results["en_wrong"].reasons["test_correlate"].startswith(ENGLISH_FAILURE.removeprefix("AssertionError: "))
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0].split(",")[-1] == "language"
    assert {r.split(",")[0]: r.split(",")[-1] for r in rows[1:]} == {s: r.language for s, r in results.items()}
    saved = json.loads((out / "results" / "ko_wrong.json").read_text())
    assert saved["result"]["language"] == KOREAN


def test_the_report_counts_a_mistake_once_in_either_language(mixed):
    """report.html counts the unsummed products of the Korean and the English student as one reason, 2 students, in
    English words, and shows the Korean message beside it (lang="ko"); tests.csv keeps what each student saw."""
    _, out, _, _ = mixed
    page = (out / "report.html").read_text()
    section = page[page.index("What students got wrong"):page.index("Needs attention")]
    rows = re.findall(r"<td>(\d+)</td><td>(.*?)</td>", section[section.index("test_correlate"):])
    count, reason = rows[0]
    assert count == "2" and html.unescape(reason).startswith(ENGLISH_FAILURE.removeprefix("AssertionError: ")), rows
    korean = re.search(r"<span lang='ko'>([^<]*)</span>", reason)
    assert korean and html.unescape(korean.group(1)).startswith(KOREAN_FAILURE.removeprefix("AssertionError: "))
    with open(out / "tests.csv") as f:
        seen = {r["student_id"]: r["reason"] for r in csv.DictReader(f) if r["test"] == "test_correlate"}
    assert seen["ko_wrong"].startswith(KOREAN_FAILURE.removeprefix("AssertionError: "))
    assert seen["en_wrong"].startswith(ENGLISH_FAILURE.removeprefix("AssertionError: "))


def test_a_korean_reason_goes_back_to_the_english_words():
    """Each Korean visible-test message, printed with its fields filled, reads back as the English message with the
    same values; a line no catalogue message matches (a hidden check's, English) is left as it is."""
    from autograder.translations import in_english

    a = "ex02_correlation"
    printed = "X, F의 모양이 (3, 3)일 때 correlate(X, F)의 모양이 (2, 2)이다. 기대한 것은 스칼라 하나 z = X ⊗ F이다(곱을 모두 더하자)"
    assert in_english(printed, a) == ("correlate(X, F) with X, F of shape (3, 3) has shape (2, 2); expected one scalar "
                                      "z = X ⊗ F (add up the products)")
    hidden = "correlate_batch: 2 of 5 hidden checks failed: correlate_batch(X, F) has shape (2,)"
    assert in_english(hidden, a) == hidden


def _text(page: str) -> str:
    """What the page says: its text without tags, styles and scripts."""
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)))


def test_each_feedback_page_is_in_the_student_s_language(mixed):
    """A Korean student's page is lang="ko" with Korean instructions (and, for the wrong answer, the Korean failure
    message); an English student's page is the one an English-only class gets, byte for byte."""
    _, out, _, english_out = mixed
    pages = {p.stem: p.read_text() for p in (out / "feedback").glob("*.html")}
    for student in ("ko_correct", "ko_wrong"):
        page = pages[student]
        assert '<html lang="ko">' in page[:200], student
        text = _text(page)
        assert "진행 방법" in text and "연습 문제 2" in text and "한국어판" in text
        assert ENGLISH_FAILURE not in text and "HIDDEN TESTS" not in page and "_hidden_check" not in page
    assert KOREAN_FAILURE in _text(pages["ko_wrong"])
    assert KOREAN_FAILURE not in _text(pages["ko_correct"])
    for student in ("en_correct", "en_wrong"):
        assert '<html lang="en">' in pages[student][:200]
        assert hangul_share(_text(pages[student])) == 0.0
        alone = (english_out / "feedback" / f"{student}.html").read_text()
        assert pages[student] == alone, f"{student}:\n" + "".join(list(difflib.unified_diff(
            alone.splitlines(True), pages[student].splitlines(True), "English class alone", "mixed class", n=2))[:60])
    assert ENGLISH_FAILURE in _text(pages["en_wrong"])


#: nbgrader's feedback template's own words on this course's pages, and what a Korean page says instead
TEMPLATE_WORDS = {"Score:": "점수:", "Test cell": "테스트 셀", "Student's answer": "학생의 답", "Grade cell:": "채점 셀:",
                  "(Top)": "(맨 위로)"}


def test_a_korean_feedback_page_has_the_template_s_words_in_korean(mixed):
    """Where an English page says "Score:", "Grade cell:", "(Top)" …, the Korean page of the same answers says it in
    Korean, as often; no English word of the template is left on it."""
    _, out, _, _ = mixed
    a = "ex02_correlation"
    # the words the notebooks say themselves (the instructions speak of test cells), the template's aside
    en_own = "\n".join(c.source for c in nbformat.read(ROOT / "chapters" / "exercises" / f"{a}.ipynb", 4).cells)
    ko_own = "\n".join(c.source for c in nbformat.read(BOOK_KO / f"{a}.ipynb", 4).cells)
    for english, korean in (("en_correct", "ko_correct"), ("en_wrong", "ko_wrong")):
        en_text = _text((out / "feedback" / f"{english}.html").read_text())
        ko_text = _text((out / "feedback" / f"{korean}.html").read_text())
        for en_word, ko_word in TEMPLATE_WORDS.items():
            template_en = en_text.count(en_word) - en_own.count(en_word)
            assert template_en > 0, f"nbgrader's template no longer writes {en_word!r}"
            assert ko_text.count(ko_word) - ko_own.count(ko_word) == template_en, (korean, en_word)
            assert ko_text.count(en_word) == ko_own.count(en_word), (korean, en_word)


def test_feedback_words_without_their_catalogue_stay_english_and_say_so(tmp_path):
    """A checkout without the feedback catalogue still grades: the page keeps nbgrader's words, the run says why."""
    from autograder.feedback_words import translate_pages
    from autograder.task import GradingResult

    page = '<h4>ex02_correlation (Score: 2.0 / 2.0)</h4><span class="nbgrader-label">Student\'s answer</span>'
    results = [GradingResult("ex02_correlation", s, "graded", "", 2.0, 2.0, feedback_html=page, language=language)
               for s, language in (("ko_student", KOREAN), ("en_student", "en"))]
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy)
    tables, notes = translate_pages(results, copy)
    assert notes == [] and tables["en"] is None and tables[KOREAN]["Score"] == "점수"
    assert results[0].feedback_html == '<h4>ex02_correlation (점수: 2.0 / 2.0)</h4><span class="nbgrader-label">학생의 답</span>'
    assert results[1].feedback_html == page
    (copy / KOREAN / "LC_MESSAGES" / "feedback.po").unlink()
    results[0].feedback_html = page
    tables, (note,) = translate_pages(results, copy)
    assert "feedback.po" in note and results[0].feedback_html == page and tables[KOREAN] is None


def test_a_korean_notebook_nbgrader_cannot_run_gets_its_page_in_korean(tmp_path):
    """A Korean notebook of another assignment (invalid: nbgrader does not run it) gets the grader's own page, in
    Korean but for the status and the grader's message (marked English); an English one's stays English."""
    a = "ex02_correlation"
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(BOOK_KO / "ex01_image_tensors.ipynb", folder / "ko_other.ipynb")
    shutil.copy(ROOT / "chapters" / "exercises" / "ex01_image_tensors.ipynb", folder / "en_other.ipynb")
    results, failed = grade_class(a, folder, tmp_path / "out", OPTIONS, course=course_copy(tmp_path, a))
    assert not failed and {r.student_id: (r.status, r.feedback_html, r.language) for r in results} == {
        "ko_other": ("invalid", "", KOREAN), "en_other": ("invalid", "", "en")}
    korean = (tmp_path / "out" / "feedback" / "ko_other.html").read_text()
    english = (tmp_path / "out" / "feedback" / "en_other.html").read_text()
    assert korean.startswith("<!DOCTYPE html><html lang='ko'>") and english.startswith("<!DOCTYPE html><html lang='en'>")
    assert "<p>학생: ko_other</p>" in korean and "<p>점수: 0 / 10</p>" in korean and '상태: <b lang="en">invalid</b>' in korean
    assert "<p>Student: en_other</p>" in english and hangul_share(_text(english)) == 0.0


def test_the_feedback_catalogue_is_up_to_date(locales):
    """`python -m autograder catalogues` would change nothing in the feedback pages' catalogue, which is complete."""
    from autograder import feedback_words

    before = {p: p.read_bytes() for p in (feedback_words.template(locales), feedback_words.catalogue(KOREAN, locales))}
    assert feedback_words.update_catalogue(locales) == []
    assert {p: p.read_bytes() for p in before} == before


def test_the_gradebook_takes_the_korean_notebooks(mixed):
    """The course gradebook holds every student's per-test scores (nbgrader's SaveAutoGrades on the Korean autograded
    notebook too) and the formgrader's autograded copy of a Korean student is the Korean notebook."""
    from nbgrader.api import Gradebook

    course, _, results, _ = mixed
    a = "ex02_correlation"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, r in results.items():
            notebook = gradebook.find_submission_notebook(a, a, student)
            assert {g.name: g.auto_score for g in notebook.grades} == {t: s for t, (s, _) in r.tests.items()}, student
    autograded = nbformat.read(course / "autograded" / "ko_wrong" / a / f"{a}.ipynb", as_version=4)
    test_cell = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_correlate")
    assert "기대한 것은 스칼라 하나" in test_cell.source and hangul_share(prose(autograded.cells[0].source)) > 0.6
