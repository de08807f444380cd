"""Benchmark: the symptom checker as the site runs it (Django side).

    DATABASE_URL=sqlite:////tmp/clinic-diag-bench.sqlite3 MODEL_DIR=/tmp/clinic-diag-models \
        .venv/bin/python bench/diagnosis_django.py [--train] [--cases N]

With ``--train`` (or when no model is active) it migrates the database and runs
``train_diagnosis_model --activate`` (timed). Then, in this process: the lazy model load,
``Predictor.predict`` (text -> result) median and p95 over the vignette texts, ``next_questions``,
and peak RSS of a process that has Django set up and the model loaded (a web worker); and in a
child process: ``manage.py diagnose --batch`` on 500 cases (wall time, peak RSS). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", action="store_true", help="Train and activate a new model first.")
    parser.add_argument("--cases", type=int, default=None, help="Training cases (default: the engine's).")
    parser.add_argument("--batch", type=int, default=500, help="Cases in the diagnose --batch run.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from diagnosis import services
    from diagnosis.ml.evaluate import load_vignettes
    from diagnosis.services.runtime import active_version

    call_command("migrate", verbosity=0)
    result: dict = {}
    if args.train or active_version() is None:
        started = time.perf_counter()
        call_command("train_diagnosis_model", "--activate", "--force",
                     *(["--cases", str(args.cases)] if args.cases else []))
        result["train_command_s"] = round(time.perf_counter() - started, 1)
    result["rss_django_mb"] = _rss_mb()
    started = time.perf_counter()
    version, predictor = services.get_checker()
    result["model_load_s"] = round(time.perf_counter() - started, 2)
    result["model_version"] = version.pk
    result["model_file_mb"] = round(version.size / 1e6, 2)
    result["training_seconds_recorded"] = version.training_seconds
    result["vignettes"] = version.vignette_metrics
    vignettes = load_vignettes()
    for v in vignettes[:20]:
        predictor.predict(v["text"], age=v.get("age"), sex=v.get("sex"))
    times, cpu, questions = [], [], []
    for v in vignettes:
        t, c = time.perf_counter(), time.process_time()
        predictor.predict(v["text"], age=v.get("age"), sex=v.get("sex"))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        t = time.perf_counter()
        predictor.next_questions(v["text"], age=v.get("age"), sex=v.get("sex"))
        questions.append(time.perf_counter() - t)
    times.sort()
    result["predict_median_ms"] = round(1000 * statistics.median(times), 2)
    # CPU time per call: on a shared, overloaded machine wall time mostly measures waiting.
    result["predict_median_cpu_ms"] = round(1000 * statistics.median(cpu), 2)
    result["predict_p95_ms"] = round(1000 * times[int(0.95 * len(times))], 2)
    result["next_questions_median_ms"] = round(1000 * statistics.median(questions), 2)
    result["rss_worker_with_model_mb"] = _rss_mb()

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for i in range(args.batch):
            v = vignettes[i % len(vignettes)]
            handle.write(json.dumps({"id": f"case-{i}", "text": v["text"], "age": int(v.get("age") or 30),
                                     "sex": v.get("sex") or "female"}) + "\n")
        batch_file = handle.name
    started = time.perf_counter()
    child = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c",
         "import resource, subprocess, sys; "
         "r = subprocess.run([sys.executable, 'manage.py', 'diagnose', '--batch', sys.argv[1]], "
         "stdout=subprocess.PIPE, check=True); "
         "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
         "print(len(r.stdout.splitlines()), u.ru_maxrss, u.ru_utime + u.ru_stime)",
         batch_file],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    lines, child_rss, child_cpu = child.stdout.split()
    result["batch_cases"] = int(lines)
    result["batch_wall_s"] = round(time.perf_counter() - started, 2)
    result["batch_cpu_s"] = round(float(child_cpu), 2)
    result["batch_peak_rss_mb"] = round(int(child_rss) / 1024, 1)
    os.unlink(batch_file)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
