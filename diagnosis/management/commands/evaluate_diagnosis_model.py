"""Score the active (or a chosen) model on a vignette file or folder."""

from __future__ import annotations

import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from diagnosis import services
from diagnosis.models import ModelVersion


class Command(BaseCommand):
    help = "Top-1/3/5/10 and triage (exact, safe) of the checker on vignettes (.jsonl file or folder)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="A vignette .jsonl file, or a folder of them.")
        parser.add_argument("--model-version", type=int, default=None, help="Model version id (default: active).")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        parser.add_argument("--failures", type=int, default=0, help="Also list up to N failed vignettes.")

    def handle(self, *args, path: str, model_version: int | None, json: bool, failures: int, **options) -> None:
        from diagnosis.ml.evaluate import VignetteError

        target = Path(path)
        if not target.exists():
            raise CommandError(f"{path}: no such file or folder")
        try:
            if model_version is None:
                version, predictor = services.get_checker()
            else:
                version = ModelVersion.objects.filter(pk=model_version).first()
                if version is None:
                    raise CommandError(f"no model version {model_version}")
                predictor = services.load_predictor(version)
        except services.CheckerUnavailable as exc:
            raise CommandError(f"symptom checker unavailable: {exc}") from None
        try:
            report = services.evaluate_vignettes(predictor, [target])
        except (VignetteError, UnicodeDecodeError, KeyError, TypeError) as exc:
            raise CommandError(f"bad vignette file: {exc}") from None
        if report.n == 0:
            raise CommandError(f"{path}: no vignettes")
        summary = report.summary()
        if json:
            self.stdout.write(jsonlib.dumps({"model_version": version.pk, **summary}))
        else:
            self.stdout.write(f"Model version {version.pk}, {summary['n']} vignettes")
            for k in (1, 3, 5, 10):
                self.stdout.write(f"  top-{k:<2} {100 * summary[f'top{k}']:5.1f}%")
            for name in ("triage_exact", "triage_safe"):
                value = summary[name]
                label = name.replace("_", " ")
                self.stdout.write(f"  {label:<12} " + ("n/a" if value is None else f"{100 * value:5.1f}%"))
        for r in report.failures[:failures]:
            self.stdout.write(f"  FAIL {r.id}: rank {r.rank}, triage {r.triage} (expected {r.expected_urgency}), "
                              f"expected {list(r.expected_icd10)}, predicted {[p[1] for p in r.predicted[:3]]}")
