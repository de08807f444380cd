"""Benchmark the symptom checker's engine (run by hand, not by CI).

    .venv/bin/python bench/diagnosis.py                 # train on the real KB, then measure
    .venv/bin/python bench/diagnosis.py --model FILE    # measure an existing model file
    .venv/bin/python bench/diagnosis.py --n-cases 20000 # smaller training run
    .venv/bin/python bench/diagnosis.py --model FILE --accuracy [--failures F]

With ``--accuracy`` it scores the vignette sets instead (development, holdout and each blind
file): n, top-1, top-3, triage exact, triage safe, and how many emergencies were triaged as
emergencies (``safe`` lets an emergency pass as urgent; the count does not), then the misses of
the sets named in ``--failures``.

Otherwise it reports: training wall and CPU seconds, model file size, single prediction median / p95 (goal
<= 5 ms), batch throughput, text parsing time per sentence, and the peak RSS of a fresh process
that only loads the model and predicts (goal <= 300 MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diagnosis.ml.evaluate import load_vignettes  # noqa: E402
from diagnosis.ml.knowledge import load_knowledge_base  # noqa: E402
from diagnosis.ml.predictor import Predictor, file_sha256  # noqa: E402

SENTENCES = [
    "ive had a really bad headache since yesterday, threw up twice, no fever but my neck is stiff",
    "crushing chest pain going into my left arm and jaw, sweating, started 30 mins ago",
    "burns when i pee and i need to go all the time, lower tummy ache, no blood",
    "my 2 year old has a barking cough and noisy breathing at night, temp 38.5",
    "itchy dry patches on my elbows and behind my knees for months, worse in winter",
    "diarrhoea and vomiting since last night, stomach cramps, the whole family has it",
]


def _texts() -> list[str]:
    try:
        vignettes = load_vignettes()
    except (OSError, ValueError):
        vignettes = []
    return [v["text"] for v in vignettes] or SENTENCES


VIGNETTE_SETS: dict[str, Path] = {
    "dev": ROOT / "diagnosis" / "vignettes",
    "holdout": ROOT / "diagnosis" / "vignettes_holdout",
    **{
        path.stem.removeprefix("blind_").split("_")[0].upper(): path
        for path in sorted((ROOT / "bench" / "blind_vignettes").glob("blind_*.jsonl"))
    },
}


def _accuracy(predictor: Predictor, failures: list[str]) -> dict[str, dict[str, object]]:
    from diagnosis.ml.evaluate import evaluate

    table: dict[str, dict[str, object]] = {}
    print("| set | n | top-1 | top-3 | triage exact | triage safe | emergencies kept |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, path in VIGNETTE_SETS.items():
        report = evaluate(predictor, load_vignettes([path]))
        emergencies = [r for r in report.results if r.expected_urgency == "emergency"]
        kept = sum(r.triage == "emergency" for r in emergencies)
        missed = [r for r in report.results if r.rank != 1 or not r.triage_exact]
        row = {
            **report.summary(),
            "emergencies": len(emergencies),
            "emergencies_kept": kept,
            "misses": [
                {"id": r.id, "rank": r.rank, "triage": r.triage, "expected": r.expected_urgency} for r in missed
            ],
        }
        table[name] = row
        print(
            f"| {name} | {report.n} | {report.top[1]:.1%} | {report.top[3]:.1%} | {report.triage_exact:.1%} "
            f"| {report.triage_safe:.1%} | {kept}/{len(emergencies)} |"
        )
        if name in failures:
            for r in missed:
                print(
                    f"  {r.id} rank={r.rank} triage={r.triage} (expected {r.expected_urgency}) {list(r.expected_icd10)}"
                )
                print(f"    text: {r.text}")
                print(f"    findings: {[(c if p else '-' + c) for c, p in r.findings]}")
                print(f"    predicted: {[(cid, p) for cid, _, p in r.predicted[:3]]}")
    return table


def _load_only(model: Path, sha: str) -> None:
    """Child process: load the model, predict a few times, print the peak RSS."""
    predictor = Predictor.load(model, expected_sha256=sha)
    for text in SENTENCES:
        predictor.predict(text, age=40, sex="female")
    # VmHWM is this process image's own high-water mark (ru_maxrss would also count the pages
    # of the parent it was forked from)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak_kb = int(line.split()[1])
    print(json.dumps({"peak_rss_mb": round(peak_kb / 1024, 1)}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path)
    parser.add_argument("--n-cases", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--load-only", nargs=2, metavar=("MODEL", "SHA"))
    parser.add_argument("--accuracy", action="store_true", help="score the vignette sets (needs --model)")
    parser.add_argument("--failures", nargs="*", default=[], help="sets whose misses to print (e.g. F dev)")
    parser.add_argument("--json", type=Path, help="with --accuracy: also write the figures here")
    args = parser.parse_args()
    if args.load_only:
        _load_only(Path(args.load_only[0]), args.load_only[1])
        return 0
    if args.accuracy:
        if not args.model:
            parser.error("--accuracy needs --model")
        predictor = Predictor.load(args.model, expected_sha256=file_sha256(args.model))
        table = _accuracy(predictor, args.failures)
        if args.json:
            args.json.write_text(json.dumps(table, indent=2))
        return 0

    report: dict[str, object] = {}
    if args.model:
        model_path = args.model
        sha = file_sha256(model_path)
    else:
        from diagnosis.ml.training import DEFAULT_N_CASES, train

        kb = load_knowledge_base()
        wall, cpu = time.perf_counter(), time.process_time()
        result = train(
            kb,
            seed=args.seed,
            n_cases=args.n_cases or DEFAULT_N_CASES,
            progress=lambda message: print(message, file=sys.stderr),
        )
        report["train_wall_s"] = round(time.perf_counter() - wall, 1)
        report["train_cpu_s"] = round(time.process_time() - cpu, 1)
        report["metrics"] = {
            "bayes_test": result.metrics["bayes"]["test"],
            "classifiers_test": {k: v["test"] for k, v in result.metrics["classifiers"].items()},
            "final_test": result.metrics["final"]["test"],
            "chosen": result.metrics["model"],
            "bayes_weight": result.metrics["bayes_weight"],
            "triage_test": result.metrics["triage"]["test"],
        }
        model_path = Path(tempfile.mkdtemp()) / "diagnosis-model.joblib"
        sha = Predictor.from_train_result(result).save(model_path)
    report["model_mb"] = round(model_path.stat().st_size / 1e6, 2)

    started = time.perf_counter()
    predictor = Predictor.load(model_path, expected_sha256=sha)
    report["load_s"] = round(time.perf_counter() - started, 2)

    texts = _texts()
    for text in texts[:20]:
        predictor.predict(text, age=40, sex="female")  # warm-up
    timings = []
    for _ in range(3):
        for text in texts:
            t0 = time.perf_counter()
            predictor.predict(text, age=40, sex="female")
            timings.append(time.perf_counter() - t0)
    timings.sort()
    report["predict_median_ms"] = round(statistics.median(timings) * 1000, 2)
    report["predict_p95_ms"] = round(timings[int(0.95 * (len(timings) - 1))] * 1000, 2)
    report["predict_per_second"] = round(len(timings) / sum(timings), 1)

    index = predictor._index
    t0 = time.perf_counter()
    for _ in range(5):
        for text in texts:
            index.extract(text)
    report["parse_ms_per_text"] = round((time.perf_counter() - t0) / (5 * len(texts)) * 1000, 3)

    # batch scoring of already-parsed cases (the training/evaluation path)
    from diagnosis.ml.features import case_features

    rows = [case_features([(f.code, f.present) for f in predictor.understand(t)], 40, "female") for t in texts]
    batch = (rows * (2000 // len(rows) + 1))[:2000]
    t0 = time.perf_counter()
    predictor.model.proba(batch, [40] * len(batch), ["female"] * len(batch))
    report["batch_cases_per_second"] = round(len(batch) / (time.perf_counter() - t0), 1)
    t0 = time.perf_counter()
    predictor.next_questions(texts[0], age=40, sex="female")
    report["next_questions_ms"] = round((time.perf_counter() - t0) * 1000, 2)

    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--load-only", str(model_path), sha],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    report.update(json.loads(child.stdout.strip().splitlines()[-1]))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
