"""Demo symptom checks for a few demo patients, made only when an active model loads (seed_demo
never trains: `make run` trains with `train_diagnosis_model --activate --if-missing`)."""

from __future__ import annotations

import random

from accounts.demo import DemoContext
from diagnosis import services
from diagnosis.models import SymptomCheck
from records.models import Patient

DEMO_TEXTS = (
    "really bad headache since this morning, threw up twice, no fever, light hurts my eyes",
    "sore throat and a runny nose for three days, slight temperature",
    "burning when I pee and need to go all the time, no fever",
    "itchy red rash on both elbows, dry and flaky skin for months",
    "cough with green phlegm for a week, feel short of breath going upstairs, fever last night",
    "crushing chest pain going down my left arm, sweating and feel sick",
)
DEMO_PATIENTS = 4


def seed(ctx: DemoContext) -> None:
    try:
        services.get_checker()
    except services.CheckerUnavailable as exc:
        ctx.stdout.write(f"  symptom checker: no demo checks ({exc})")
        return
    rng = random.Random(ctx.seed)
    patients = Patient.objects.filter(user__in=ctx.patient_users).order_by("pk")[:DEMO_PATIENTS]
    for patient in patients:
        if SymptomCheck.objects.filter(patient=patient).exists():
            continue
        for text in rng.sample(DEMO_TEXTS, 2):
            services.symptom_check_run(patient=patient, created_by=patient.user, text=text)
            ctx.count("symptom checks")
