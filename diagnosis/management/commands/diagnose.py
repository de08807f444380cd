"""Run the symptom checker from the command line: one case, or a JSON-lines batch."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from diagnosis import services

SEXES = ("male", "female")


def result_line(case_id: Any, prediction, version_id: int) -> dict[str, Any]:
    """One output line, in the documented format."""
    return {
        "id": case_id,
        "conditions": [
            {"name": c.name, "icd10": c.icd10, "probability": round(float(c.probability), 6)}
            for c in prediction.conditions
        ],
        "triage": prediction.triage.level,
        "findings": [{"code": f.code, "label": f.label, "present": bool(f.present)} for f in prediction.findings],
        "model_version": version_id,
    }


def _parse_batch_line(number: int, line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CommandError(f"line {number}: not valid JSON ({exc.msg})") from None
    if not isinstance(item, dict):
        raise CommandError(f"line {number}: expected a JSON object")
    problems = []
    if not isinstance(item.get("id"), str) or not item["id"]:
        problems.append('"id" must be a non-empty string')
    if not isinstance(item.get("text"), str):
        problems.append('"text" must be a string')
    age = item.get("age")
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 120:
        problems.append('"age" must be a whole number from 0 to 120')
    if item.get("sex") not in SEXES:
        problems.append('"sex" must be "male" or "female"')
    if problems:
        raise CommandError(f"line {number}: " + "; ".join(problems))
    return item


class Command(BaseCommand):
    help = 'Diagnose one case (--text "..." --age 34 --sex female [--json]) or a batch (--batch cases.jsonl).'

    def add_arguments(self, parser) -> None:
        parser.add_argument("--text", help="What the patient says, in their words.")
        parser.add_argument("--age", type=int, help="Age in years.")
        parser.add_argument("--sex", choices=SEXES)
        parser.add_argument("--json", action="store_true", help="Print the result as one JSON line.")
        parser.add_argument("--batch", help='A .jsonl file of {"id", "text", "age", "sex"} lines ("-" = stdin).')
        parser.add_argument("--top", type=int, default=10, help="Conditions to list (default 10).")

    def handle(self, *args, text: str | None, age: int | None, sex: str | None, json: bool,
               batch: str | None, top: int, **options) -> None:
        if batch is not None and text is not None:
            raise CommandError("give either --text or --batch, not both")
        if batch is None and text is None:
            raise CommandError("give --text (with --age and --sex) or --batch FILE")
        if top < 1:
            raise CommandError("--top must be at least 1")
        cases = self._read_batch(batch) if batch is not None else None
        if cases is None and (age is None or sex is None):
            raise CommandError("--text needs --age and --sex")
        if age is not None and not 0 <= age <= 120:
            raise CommandError("--age must be from 0 to 120")
        try:
            version, predictor = services.get_checker()
        except services.CheckerUnavailable as exc:
            raise CommandError(f"symptom checker unavailable: {exc}") from None
        if cases is not None:
            out = self.stdout
            for case in cases:
                prediction = predictor.predict(case["text"], age=case["age"], sex=case["sex"], top=top)
                out.write(_dumps(result_line(case["id"], prediction, version.pk)))
            return
        prediction = predictor.predict(text, age=age, sex=sex, top=top)
        if json:
            self.stdout.write(_dumps(result_line(None, prediction, version.pk)))
            return
        self._human(prediction, version.pk)

    def _read_batch(self, batch: str) -> list[dict[str, Any]]:
        if batch == "-":
            lines = sys.stdin.read().splitlines()
        else:
            path = Path(batch)
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read {batch}: {exc}") from None
        # Every line is checked before any is diagnosed: a bad file prints nothing.
        return [_parse_batch_line(number, line) for number, line in enumerate(lines, 1) if line.strip()]

    def _human(self, prediction, version_id: int) -> None:
        self.stdout.write(f"Triage: {prediction.triage.level}")
        for reason in prediction.triage.reasons:
            self.stdout.write(f"  - {reason}")
        self.stdout.write("Findings understood:")
        for f in prediction.findings:
            self.stdout.write(f"  {'+' if f.present else '-'} {f.label} ({f.code})")
        if not prediction.findings:
            self.stdout.write("  (none)")
        self.stdout.write("Conditions:")
        for rank, c in enumerate(prediction.conditions, 1):
            self.stdout.write(f"  {rank:2d}. {100 * c.probability:5.1f}%  {c.name} [{c.icd10}]")
        self.stdout.write(f"Model version {version_id}. This is not a diagnosis.")


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)
