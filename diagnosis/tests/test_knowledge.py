from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from diagnosis.ml.knowledge import (
    DEFAULT_PATH,
    KnowledgeBaseError,
    knowledge_hash,
    lint_knowledge_base,
    load_knowledge_base,
)

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"

FINDINGS = """
- code: fever
  label: Fever
  lay: a fever
  kind: symptom
  synonyms: [high temperature]
- code: cough
  label: Cough
  lay: a cough
  kind: symptom
"""

CONDITION = """
- id: flu
  name: Influenza
  lay_name: Flu
  icd10: [J11.1]
  specialty: general_practice
  prevalence: common
  age_min: 0
  age_max: 120
  sex: any
  urgency: self_care
  findings: {fever: 0.9, cough: 0.7}
  red_flags: []
  explanation: Flu.
  next_steps: Rest.
"""


def write_kb(root: Path, findings: str = FINDINGS, conditions: str = CONDITION) -> Path:
    (root / "findings").mkdir(parents=True)
    (root / "conditions").mkdir(parents=True)
    (root / "findings" / "core.yaml").write_text(findings)
    (root / "conditions" / "general.yaml").write_text(conditions)
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as excinfo:
        load_knowledge_base(root)
    return excinfo.value.problems


def test_the_real_knowledge_base_is_valid() -> None:
    kb = load_knowledge_base()
    assert len(kb.conditions) >= 10
    assert len(kb.findings) >= 30
    for condition in kb.conditions.values():
        assert condition.findings
        assert set(condition.findings) <= set(kb.findings)
        assert set(condition.red_flags) <= set(kb.findings)
    assert kb.hash == knowledge_hash(DEFAULT_PATH)


def test_it_loads_the_fixture_into_frozen_lookups() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    migraine = kb.condition("migraine")
    assert migraine.primary_icd10 == "G43.909"
    assert migraine.findings["headache"] == pytest.approx(0.98)
    assert kb.finding("headache").kind == "symptom"
    assert "hedache" in kb.finding("headache").misspellings
    with pytest.raises(AttributeError):
        migraine.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        migraine.findings["headache"] = 0.1  # type: ignore[index]


def test_it_survives_pickling() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    copy = pickle.loads(pickle.dumps(kb))  # noqa: S301 - our own bytes
    assert copy.hash == kb.hash
    assert dict(copy.conditions["migraine"].findings) == dict(kb.conditions["migraine"].findings)
    assert copy.finding_codes == kb.finding_codes


def test_applies_to_checks_age_and_sex() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    hyperemesis = kb.condition("hyperemesis_gravidarum")
    assert hyperemesis.applies_to(30, "female")
    assert not hyperemesis.applies_to(30, "male")
    assert not hyperemesis.applies_to(70, "female")
    assert hyperemesis.applies_to(None, None)


def test_hash_changes_with_any_byte(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb")
    before = knowledge_hash(root)
    assert before == load_knowledge_base(root).hash
    path = root / "conditions" / "general.yaml"
    path.write_text(path.read_text().replace("Rest.", "Rest!"))
    assert knowledge_hash(root) != before


def test_a_minimal_kb_loads(tmp_path: Path) -> None:
    kb = load_knowledge_base(write_kb(tmp_path / "kb"))
    assert kb.condition_ids == ("flu",)


def test_it_lists_every_problem_at_once(tmp_path: Path) -> None:
    bad = (
        CONDITION.replace("J11.1", "J11.99999")
        .replace("general_practice", "astrology")
        .replace("cough: 0.7", "cough: 1.5, wheeze: 0.3")
        .replace("age_min: 0", "age_min: 130")
        .replace("sex: any", "sex: other")
        .replace("urgency: self_care", "urgency: whenever")
        .replace("prevalence: common", "prevalence: sometimes")
    )
    problems = problems_of(write_kb(tmp_path / "kb", conditions=bad))
    text = "\n".join(problems)
    assert "invalid ICD-10-CM code 'J11.99999'" in text
    assert "unknown specialty 'astrology'" in text
    assert "probability 1.5 of 'cough'" in text
    assert "unknown finding code 'wheeze'" in text
    assert "age_min 130" in text
    assert "sex 'other'" in text
    assert "urgency 'whenever'" in text
    assert "prevalence 'sometimes'" in text
    assert len(problems) >= 8


def test_it_rejects_min_age_above_max_age(tmp_path: Path) -> None:
    bad = CONDITION.replace("age_min: 0", "age_min: 60").replace("age_max: 120", "age_max: 40")
    problems = problems_of(write_kb(tmp_path / "kb", conditions=bad))
    assert any("greater than age_max" in p for p in problems)


def test_it_rejects_probability_below_the_minimum(tmp_path: Path) -> None:
    bad = CONDITION.replace("cough: 0.7", "cough: 0.0")
    assert any("outside 0.01..0.99" in p for p in problems_of(write_kb(tmp_path / "kb", conditions=bad)))


def test_it_rejects_duplicate_codes_and_ids(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", conditions=CONDITION + CONDITION)
    (root / "findings" / "more.yaml").write_text(FINDINGS.split("- code: cough")[0])
    problems = problems_of(root)
    assert any("duplicate finding code 'fever'" in p for p in problems)
    assert any("duplicate condition id 'flu'" in p for p in problems)


def test_it_rejects_bad_finding_fields(tmp_path: Path) -> None:
    bad = FINDINGS.replace("kind: symptom", "kind: feeling", 1) + (
        "- code: Bad Code\n  label: x\n  kind: symptom\n- code: rash\n  label: Rash\n  kind: sign\n  red_flag: maybe\n"
        "- code: thirst\n  label: Thirst\n  kind: symptom\n  denials: {not: thirsty}\n"
        "- code: limp\n  label: Limp\n  kind: sign\n  site_bound: [hurts to walk]\n"
    )
    problems = problems_of(write_kb(tmp_path / "kb", findings=bad))
    text = "\n".join(problems)
    assert "kind 'feeling'" in text
    assert "denials must be a list of strings" in text
    assert "'Bad Code' must be snake_case" in text
    assert "red_flag 'maybe'" in text
    assert "site_bound needs a site" in text


def test_it_rejects_a_context_bound_phrase_without_its_context(tmp_path: Path) -> None:
    bad = FINDINGS + (
        "- code: chills\n  label: Chills\n  kind: symptom\n  context_bound: [high temperature]\n"
        "- code: shivers\n  label: Shivers\n  kind: symptom\n  context_bound: [shaking]\n"
        "  context_findings: [fever]\n"
        "- code: rigor\n  label: Rigor\n  kind: symptom\n  context_bound: [high temperature]\n"
        "  context_findings: [malaria]\n"
    )
    text = "\n".join(problems_of(write_kb(tmp_path / "kb", findings=bad)))
    assert "'chills'" in text and "context_bound needs context_findings" in text
    assert "context_bound phrase 'shaking' must be another finding's synonym" in text
    assert "unknown context finding code 'malaria'" in text
    assert "context_bound phrase 'high temperature'" not in text


def test_it_rejects_unknown_red_flag_and_invalid_yaml(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", conditions=CONDITION.replace("red_flags: []", "red_flags: [stroke]"))
    (root / "conditions" / "broken.yaml").write_text("- id: [unclosed\n")
    problems = problems_of(root)
    assert any("unknown red flag finding code 'stroke'" in p for p in problems)
    assert any("broken.yaml: not valid YAML" in p for p in problems)


def test_it_needs_files(tmp_path: Path) -> None:
    problems = problems_of(tmp_path)
    assert any("no findings" in p for p in problems)
    assert any("no conditions" in p for p in problems)


def test_lint_notes_shared_phrases_and_unused_findings(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    notes = lint_knowledge_base(load_knowledge_base(root))
    assert any("'cough_productive' is used by no condition" in n for n in notes)


SHARING = FINDINGS.replace(
    "  synonyms: [high temperature]\n", "  synonyms: [high temperature, burning up]\n  shared: [burning up]\n"
)


def test_a_shared_phrase_must_be_a_synonym(tmp_path: Path) -> None:
    bad = SHARING.replace("shared: [burning up]", "shared: [red hot]")
    assert any(
        "shared phrase 'red hot' must be one of its synonyms" in p
        for p in problems_of(write_kb(tmp_path / "kb", findings=bad))
    )


def test_lint_notes_a_phrase_shared_by_one_finding_alone(tmp_path: Path) -> None:
    notes = lint_knowledge_base(load_knowledge_base(write_kb(tmp_path / "kb", findings=SHARING)))
    assert "phrase 'burning up' is shared by 'fever' alone" in notes


def test_a_phrase_both_findings_share_is_no_conflict(tmp_path: Path) -> None:
    from diagnosis.ml.text import get_index

    both = SHARING + "  synonyms: [burning up]\n  shared: [burning up]\n"
    kb = load_knowledge_base(write_kb(tmp_path / "kb", findings=both))
    assert not [n for n in lint_knowledge_base(kb) if "burning up" in n]
    index = get_index(kb)
    assert index.conflicts == []
    assert {e.code for e in index.extract("im burning up")} == {"fever", "cough"}
    # listed by both but shared by one: a conflict as before
    one = SHARING + "  synonyms: [burning up]\n"
    kb = load_knowledge_base(write_kb(tmp_path / "kb2", findings=one))
    assert "phrase 'burning up' is shared by ['fever'] but used by 'cough' unshared" in lint_knowledge_base(kb)
    assert len({e.code for e in get_index(kb).extract("im burning up")}) == 1


def test_a_conditions_red_flag_level_is_urgent_unless_told_emergency(tmp_path: Path) -> None:
    kb = load_knowledge_base(write_kb(tmp_path / "kb"))
    assert kb.conditions["flu"].red_flag_level == "urgent"
    raised = CONDITION.replace("red_flags: []", "red_flags: [fever]\n  red_flag_level: emergency")
    assert load_knowledge_base(write_kb(tmp_path / "raised", conditions=raised)).conditions["flu"].red_flag_level == (
        "emergency"
    )
    bad = CONDITION.replace("red_flags: []", "red_flags: []\n  red_flag_level: soon")
    assert any("red_flag_level 'soon'" in p for p in problems_of(write_kb(tmp_path / "bad", conditions=bad)))
