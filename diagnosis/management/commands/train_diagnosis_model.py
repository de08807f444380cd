"""Train the symptom checker's model and record it as a ModelVersion."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from diagnosis import services
from diagnosis.services.runtime import active_version


class Command(BaseCommand):
    help = (
        "Train the symptom checker from the knowledge base (synthetic patients, several "
        "classifiers compared), save it under MODEL_DIR and record a ModelVersion."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--activate", action="store_true", help="Make the new model the active one.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="With --activate: activate even if it scores worse than the active one.",
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument("--cases", type=int, default=None, help="Synthetic training cases (default: the engine's).")
        parser.add_argument(
            "--include-clinic-data", action="store_true", help="Add the clinic's confirmed cases to the training data."
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when an active model exists and loads (for `make run`).",
        )

    def handle(self, *args, activate: bool, force: bool, seed: int, cases: int | None,
               include_clinic_data: bool, if_missing: bool, **options) -> None:
        if cases is not None and cases < 100:
            raise CommandError("--cases must be at least 100.")
        if if_missing:
            current = active_version()
            if current is not None:
                try:
                    services.load_predictor(current)
                except services.CheckerUnavailable as exc:
                    self.stdout.write(f"The active model does not load ({exc}); training a new one.")
                    force = True
                else:
                    self.stdout.write(self.style.SUCCESS(
                        f"Active model version {current.pk} loads: nothing to do."))
                    return
        version = services.model_version_train(
            seed=seed,
            n_cases=cases,
            include_clinic_data=include_clinic_data,
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        vignettes = version.vignette_metrics or {}
        self.stdout.write(
            f"Model version {version.pk}: {version.file_name} ({version.size / 1e6:.1f} MB), "
            f"sha256 {version.sha256}, trained in {version.training_seconds:.0f}s"
        )
        self.stdout.write("Vignettes: " + json.dumps(vignettes))
        if not activate:
            self.stdout.write(self.style.SUCCESS(f"Saved model version {version.pk} (not active)."))
            return
        try:
            services.model_version_activate(version=version, by=None, force=force)
        except ValidationError as exc:
            raise CommandError(f"Saved model version {version.pk} but did not activate it: "
                               + " ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Model version {version.pk} is now active."))
